"""Encodings: UTF-8 (BOM or not), UTF-16/32 with a BOM and Chinese GBK are accepted; anything else is
refused (exit 2) with a sample line, and imported exactly as meant with --encoding NAME."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlr.campaign import open_campaign
from tlr.campaign.tables import decode_text, reads_as_chinese
from tlr.errors import InputFileError

from .readers_support import error_lines, new_campaign, run, snapshot

LATIN = "id,name,applicant,industry\nQ1,naïve café,Müller GmbH,steel\n"
CP1252 = "id,name,applicant,industry\nQ1,“Smart” grid – phase 2 €,Société Générale,steel\n"
BIG5 = "id,name,applicant,industry\nQ1,高強鋼連鑄新工藝,燕山大學,steel\n"  # 繁體: headers in English
SJIS = "id,name,applicant,industry\nQ1,高強度鋼の連続鋳造,東京大学,steel\n"
GBK = "项目编号,项目名称,申报单位,行业,项目简介\nQ1,高强钢连铸新工艺,燕山大学,钢铁,“降低能耗”——约15%。\n"


@pytest.fixture
def campaign(tmp_path):
    return new_campaign(tmp_path)


def _write(tmp_path, text: str, encoding: str, name: str = "p.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _name(campaign) -> str:
    with open_campaign(campaign) as led:
        return led.project("Q1")["name"]


@pytest.mark.parametrize("text, encoding, stored", [
    (LATIN, "latin-1", "naïve café"),
    (CP1252, "cp1252", "“Smart” grid – phase 2 €"),
    (BIG5, "big5", "高強鋼連鑄新工藝"),
    (SJIS, "shift_jis", "高強度鋼の連続鋳造"),
])
def test_non_chinese_encodings_refused_then_imported_with_encoding(campaign, tmp_path, capsys, text, encoding,
                                                                  stored):
    path = _write(tmp_path, text, encoding)
    before = snapshot(campaign)
    code, _out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith(f"{path}: error: ") and "--encoding" in line
    assert "line 2" in line or "line 1" in line                 # a sample line as it would be stored
    assert snapshot(campaign) == before
    code, out, err = run(["projects", "import", path, "--campaign", campaign, "--encoding", encoding], capsys)
    assert code == 0, err
    assert codecs.lookup(encoding).name.upper() in out
    assert _name(campaign) == stored


def test_latin1_was_garbled_as_cp1250_now_refused_showing_both_readings(tmp_path):
    path = _write(tmp_path, LATIN, "latin-1")
    with pytest.raises(InputFileError) as info:
        decode_text(path.read_bytes(), str(path))
    message = info.value.message
    assert "naïve café" in message          # the right reading is offered among the guesses ...
    assert "naďve" in message or "cp1250" in message   # ... next to the garbled one charset-normalizer prefers


def test_big5_and_shift_jis_are_not_taken_for_gbk():
    for text, encoding in ((BIG5, "big5"), (SJIS, "shift_jis")):
        data = text.encode(encoding)
        misread = data.decode("gb18030")          # decodes without error: the old reader stored this
        assert misread != text
        assert not reads_as_chinese(misread)
        with pytest.raises(InputFileError):
            decode_text(data, "x.csv")


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312"])
def test_chinese_gbk_accepted_as_gb18030(campaign, tmp_path, capsys, encoding):
    path = _write(tmp_path, GBK if encoding != "gb2312" else GBK.replace("—", "―"), encoding)
    code, out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 0, err
    assert "GB18030" in out
    assert _name(campaign) == "高强钢连铸新工艺"


@pytest.mark.parametrize("encoding, label", [("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-16-be", "UTF-16"),
                                             ("utf-32", "UTF-32"), ("utf-8-sig", "UTF-8 (BOM)"), ("utf-8", "UTF-8")])
def test_unicode_with_bom_accepted(campaign, tmp_path, capsys, encoding, label):
    data = GBK.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    code, out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 0, err
    assert f"encoding: {label}" in out
    assert _name(campaign) == "高强钢连铸新工艺"


def test_utf16_without_bom_refused_with_a_hint(campaign, tmp_path, capsys):
    path = _write(tmp_path, LATIN, "utf-16-le")
    code, _out, err = run(["projects", "import", path, "--campaign", campaign], capsys)
    assert code == 2 and "utf-16-le" in err
    code, _out, err = run(["projects", "import", path, "--campaign", campaign, "--encoding", "utf-16-le"], capsys)
    assert code == 0, err
    assert _name(campaign) == "naïve café"


def test_wrong_or_unknown_encoding_is_a_located_error(campaign, tmp_path, capsys):
    path = _write(tmp_path, LATIN, "latin-1")
    code, _out, err = run(["projects", "import", path, "--campaign", campaign, "--encoding", "utf-8"], capsys)
    assert code == 2
    (line,) = error_lines(err)
    assert line.startswith(f"{path}:2: error: ")      # the line with the bad byte
    for bad in ("no-such-codec", "rot13", "base64"):
        code, _out, err = run(["projects", "import", path, "--campaign", campaign, "--encoding", bad], capsys)
        assert code == 2 and len(error_lines(err)) == 1


def test_encoding_option_for_experts_and_answers(campaign, tmp_path, capsys):
    experts = "expert_id,name,institution,fields\nE90,Zoë Brontë,Université Laval,steel\n"
    path = _write(tmp_path, experts, "cp1252", "e.csv")
    assert run(["experts", "import", path, "--campaign", campaign], capsys)[0] == 2
    code, _out, err = run(["experts", "import", path, "--campaign", campaign, "--encoding", "cp1252"], capsys)
    assert code == 0, err
    with open_campaign(campaign) as led:
        assert led.expert("E90")["name"] == "Zoë Brontë"
        expert, project = led.conn.execute("SELECT expert_id, project_id FROM assignments LIMIT 1").fetchone()
    answers = _write(tmp_path, f"project,indicator,value,comment\n{project},novelty,4,très bien – ok\n", "cp1252",
                     "a.csv")
    before = snapshot(campaign)
    code, _out, err = run(["score", "--expert", expert, "--from", answers, "--campaign", campaign], capsys)
    assert code == 2 and "--encoding" in err
    assert snapshot(campaign) == before
    code, _out, err = run(["score", "--expert", expert, "--from", answers, "--campaign", campaign,
                           "--encoding", "cp1252"], capsys)
    assert code == 0, err
    with open_campaign(campaign) as led:
        row = led.conn.execute("SELECT comment FROM scores WHERE expert_id = ? AND project_id = ? AND "
                               "indicator_id = 'novelty'", (expert, project)).fetchone()
    assert row[0] == "très bien – ok"


# Chinese text built from common characters, as a secretary's file would hold
COMMON = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(alphabet=COMMON + "，。、；：（）“”", min_size=2, max_size=12), min_size=1, max_size=6),
       st.lists(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=8),
                min_size=1, max_size=6))
def test_chinese_gbk_text_is_recognised(names, codes):
    rows = ["项目编号,项目名称"] + [f"{c},{n.replace(',', '')}" for c, n in zip(codes, names)]
    text = "\n".join(rows) + "\n"
    decoded, label = decode_text(text.encode("gbk"), "p.csv")
    assert (decoded, label) == (text, "GB18030")
