import subprocess
import sys


def test_import_is_light():
    code = ("import sys, tlr.weighting; "
            "print('pandas' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_public_interface_for_the_rubric_loader():
    from tlr.weighting import DEFAULT_RI_TABLE, RI_TABLES, ahp, global_weights

    assert DEFAULT_RI_TABLE in RI_TABLES
    for key in ("saaty1980", "saaty_later", "alonso_lamata2006", "donegan_dodd1991", "tummala_ling1998"):
        assert key in RI_TABLES
    res = ahp([[1, 2], [0.5, 1]], method="eigenvector", ri=DEFAULT_RI_TABLE, threshold=None, missing="error")
    for attr in ("weights", "lambda_max", "ci", "cr", "consistent", "method", "ri_table", "threshold", "suggestions"):
        assert hasattr(res, attr)
    assert callable(global_weights) and isinstance(res.to_dict(), dict)
