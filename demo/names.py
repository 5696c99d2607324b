"""Word lists and generators of realistic Chinese customer data for the demo and the benchmark:
names, mobiles, PRC id numbers, VINs with their check digit, plates, the FAW Toyota line-up."""

import datetime
import random

from crm.validators import id_number_check_char, vin_check_digit

# The FAW Toyota line-up of seed 001 tables 11–12, with a few variants each and a weight
# (how often it sells in a Anhui city store).
TOYOTA_MODELS = [
    ("卡罗拉", ["卡罗拉 1.2T S-CVT 精英版", "卡罗拉 1.5L CVT 先锋版", "卡罗拉 双擎 1.8L E-CVT 旗舰版"], 30),
    ("威驰", ["威驰 1.5L CVT 创行版", "威驰 1.5L CVT 锋驰版"], 14),
    ("花冠", ["花冠 1.6L 自动 卓越版"], 6),
    ("锐志", ["锐志 2.5V 风尚菁英版", "锐志 2.5S 运动版"], 8),
    ("皇冠", ["皇冠 2.0T 先锋版", "皇冠 2.5L 智享版"], 6),
    ("普锐斯", ["普锐斯 1.8L 豪华版"], 3),
    ("RAV4", ["RAV4荣放 2.0L CVT 两驱风尚版", "RAV4荣放 2.0L CVT 四驱新锐版", "RAV4荣放 双擎 2.5L 四驱精英版"], 20),
    ("普拉多", ["普拉多 2.7L 自动 TX", "普拉多 3.5L 自动 VX-NAVI"], 5),
    ("兰德酷路泽", ["兰德酷路泽 4.0L 自动 GX-R"], 2),
    ("柯斯达", ["柯斯达 2.7L 高级版 23座"], 1),
]
COLOURS = ["珍珠白", "铂金银", "墨晶黑", "灰色", "红色", "星空蓝", "香槟金"]
INTERIORS = ["黑色", "米色", "深灰"]

# Surnames with their approximate share of the population (per mille), most common first.
SURNAMES = [
    ("王", 73),
    ("李", 72),
    ("张", 69),
    ("刘", 54),
    ("陈", 45),
    ("杨", 31),
    ("黄", 22),
    ("赵", 22),
    ("吴", 20),
    ("周", 19),
    ("徐", 17),
    ("孙", 15),
    ("马", 15),
    ("朱", 14),
    ("胡", 13),
    ("郭", 12),
    ("何", 12),
    ("高", 11),
    ("林", 11),
    ("罗", 10),
    ("郑", 10),
    ("梁", 9),
    ("谢", 8),
    ("宋", 8),
    ("唐", 8),
    ("许", 7),
    ("韩", 7),
    ("冯", 7),
    ("邓", 7),
    ("曹", 7),
    ("彭", 6),
    ("曾", 6),
    ("肖", 6),
    ("田", 6),
    ("董", 6),
    ("袁", 5),
    ("潘", 5),
    ("于", 5),
    ("蒋", 5),
    ("蔡", 5),
    ("余", 5),
    ("杜", 5),
    ("叶", 4),
    ("程", 4),
    ("苏", 4),
    ("魏", 4),
    ("吕", 4),
    ("丁", 4),
    ("任", 4),
    ("沈", 4),
    ("姚", 3),
    ("卢", 3),
    ("姜", 3),
    ("崔", 3),
    ("钟", 3),
    ("谭", 3),
    ("陆", 3),
    ("汪", 3),
    ("范", 3),
    ("金", 3),
    ("石", 3),
    ("廖", 3),
    ("贾", 2),
    ("夏", 2),
    ("韦", 2),
    ("方", 2),
    ("储", 2),
    ("葛", 2),
    ("欧阳", 1),
    ("诸葛", 1),
]
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋晨峰建国志文斌海亮"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞秀玲桂英华慧巧美倩婷雪琳晶颖洁璐瑶怡佳欣悦萍红燕琴云蕾"
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "173",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "199",
]
INDUSTRIES = ["教育", "医疗", "建筑", "制造业", "金融", "零售", "物流", "餐饮", "IT", "政府机关", "农业"]
HOBBIES = ["钓鱼", "旅游", "摄影", "羽毛球", "篮球", "自驾游", "书法", "跑步", "登山", "读书", "茶艺", "音乐"]
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
# Model year codes of position 10 (ISO 3779): 2018 … 2026.
YEAR_CODES = {2018: "J", 2019: "K", 2020: "L", 2021: "M", 2022: "N", 2023: "P", 2024: "R", 2025: "S", 2026: "T"}


def make_vin(rng: random.Random, year: int) -> str:
    """A FAW Toyota-style VIN (WMI `LFM`) with a valid check digit and the given model year."""
    body = [
        "L",
        "F",
        "M",
        *[rng.choice(VIN_CHARS) for _ in range(5)],
        "0",
        YEAR_CODES.get(year, "T"),
        rng.choice("ABCDEF"),
        *f"{rng.randrange(1_000_000):06d}",
    ]
    body[8] = vin_check_digit("".join(body))
    return "".join(body)


def make_id_number(rng: random.Random, region: str, birthday: datetime.date, male: bool) -> str:
    """A PRC id number whose birth date, sex digit and check character are all consistent."""
    sequence = rng.randrange(0, 100) * 10 + rng.choice([1, 3, 5, 7, 9] if male else [0, 2, 4, 6, 8])
    first17 = f"{region}{birthday:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


def make_mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def make_name(rng: random.Random, male: bool) -> str:
    surname = rng.choices([s for s, _ in SURNAMES], weights=[w for _, w in SURNAMES])[0]
    pool = MALE_GIVEN if male else FEMALE_GIVEN
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return surname + given


def make_plate(rng: random.Random, prefix: str) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    tail = [rng.choice("0123456789") for _ in range(5)]
    # Most plates since 2018 carry one or two letters among the five characters.
    for pos in rng.sample(range(5), rng.choice([0, 1, 1, 2])):
        tail[pos] = rng.choice(letters)
    return prefix + "".join(tail)
