"""tlr: turn expert judgement about technology projects into rankings a fund can act on.

科技成果评价与评投联动排序工具。

The package keeps imports light: ``import tlr`` loads nothing heavy, so the
command line starts fast. Import the sub-modules you need, e.g.
``from tlr.rubric import load_rubric`` or ``from tlr import weighting``.
"""

__version__ = "0.1.0"
