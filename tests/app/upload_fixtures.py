"""A gazette notice found in no bundled gazette, for the upload tests: uploaded, it alone answers QUESTION."""

from __future__ import annotations

BIKE_NOTICE = """晋城市人民政府
关于印发晋城市公共自行车管理办法的通知
晋市政发〔2099〕7号
各县（市、区）人民政府，市人民政府各委、局、办：
现将《晋城市公共自行车管理办法》印发给你们，请认真贯彻执行。
晋城市人民政府
2099年3月1日
晋城市公共自行车管理办法
第一条 为规范公共自行车管理，方便市民绿色出行，制定本办法。
第二条 公共自行车每次骑行前一小时免费，超过一小时的每小时收费一元。
第三条 公共自行车租赁点由市交通运输局统一设置，每日六时至二十二时开放。
第四条 本办法自发布之日起施行。
"""
BIKE_DOC = "晋市政发〔2099〕7号"
QUESTION = "公共自行车每次骑行前多长时间免费？"
