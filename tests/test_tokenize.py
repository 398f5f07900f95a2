import subprocess
import sys
import textwrap
import threading

import pytest

from textmine.tokenization import DomainTokenizer, tokenize

DOMAIN_TERMS = ["企业微信", "钉钉", "已读不回", "审批流", "工单", "私有化部署", "踢皮球", "石沉大海",
                "占线", "外勤", "回访", "驻场", "远程协助", "二次开发"]


@pytest.mark.parametrize("term", DOMAIN_TERMS)
def test_domain_terms_are_single_tokens(term):
    assert term in tokenize(f"我们公司的{term}问题")


@pytest.mark.parametrize(
    "text, present, absent",
    [
        ("不慢", "不慢", "慢"),
        ("没人回", "没人回", "回"),
        ("一点也不专业", "不专业", "专业"),
        ("客服不太专业", "不专业", "专业"),
        ("响应速度还可以，不太慢", "不慢", "慢"),
        ("没有及时回复", "没及时回复", "及时回复"),
        ("态度不是很好", "不好", "好"),
    ],
)
def test_negation_is_fused_with_its_target(text, present, absent):
    tokens = tokenize(text)
    assert present in tokens
    assert absent not in tokens


def test_traditional_fullwidth_and_emoji():
    tokens = tokenize("客服電話一直佔線😡ＶＰＮ連不上")
    assert "一直占线" in tokens and "😡" in tokens and "vpn" in tokens
    assert "，" not in tokenize("回复慢，拖了很久")


def test_empty_and_missing():
    assert tokenize("") == [] and tokenize(None) == [] and tokenize(float("nan")) == []


def test_user_words_from_list_and_file(tmp_path):
    assert "小蜜蜂oa" not in tokenize("小蜜蜂OA又卡了")
    assert "小蜜蜂oa" in tokenize("小蜜蜂OA又卡了", user_words=["小蜜蜂OA"])
    path = tmp_path / "words.txt"
    path.write_text("# our products\n青鸟云表 10 nz\n", encoding="utf-8")
    assert "青鸟云表" in DomainTokenizer(user_words=path)("青鸟云表打不开")


def test_bad_user_dictionary_names_file_and_line(tmp_path):
    from textmine.errors import InputError

    path = tmp_path / "bad.txt"
    path.write_text("好词\n坏词 notanumber\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.txt, line 2"):
        DomainTokenizer(user_words=path)


def test_pickle_round_trip_drops_jieba_instance():
    import pickle

    tk = DomainTokenizer(user_words=["青鸟云表"])
    before = tk("青鸟云表打不开")
    clone = pickle.loads(pickle.dumps(tk))
    assert clone._jieba is None
    assert clone("青鸟云表打不开") == before


def test_thread_safe_first_use():
    tk = DomainTokenizer(user_words=["并发测试词"])
    text = "并发测试词的工单石沉大海，客服不耐烦"
    results = []

    def work():
        results.append(tk(text))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and all(r == results[0] for r in results)


def test_global_jieba_untouched_and_import_is_lazy():
    code = textwrap.dedent(
        """
        import logging, sys, time
        t = time.perf_counter()
        import textmine
        elapsed = time.perf_counter() - t
        heavy = [m for m in ("jieba", "pandas", "sklearn", "opencc") if m in sys.modules]
        assert not heavy, heavy
        assert elapsed < 0.5, elapsed
        import jieba
        handlers_before = list(logging.getLogger("jieba").handlers)
        level_before = logging.getLogger("jieba").level
        before = jieba.lcut("企业微信的审批流已读不回")
        textmine.tokenize("企业微信的审批流已读不回")
        assert jieba.dt.initialized is True  # initialised by our lcut above, not by textmine
        assert "已读不回" not in jieba.dt.FREQ
        assert jieba.lcut("企业微信的审批流已读不回") == before
        assert list(logging.getLogger("jieba").handlers) == handlers_before
        assert logging.getLogger("jieba").level == level_before
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_tokenize_is_quiet(capfd):
    DomainTokenizer(user_words=["安静测试词"])("安静测试词")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
