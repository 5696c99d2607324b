"""Sizes, seed and word lists of the scale data set (SPEC §12), and the build log line."""

from __future__ import annotations

import time

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dcr_bench_scale"
# Bump when the data set changes shape: a run finding another version rebuilds.
GENERATOR_VERSION = "2026-11-26.2"
MARKER_TABLE = "bench_scale_marker"
SEED = 20261124

N_STORES = 10
N_CUSTOMERS = 300_000
N_SECOND_VEHICLES = 30_000  # every 10th customer owns a second car
N_DELIVERIES = 100_000
N_RECENT_DELIVERIES = 3_000  # delivered in the last 12 days: their sales callbacks are open
N_ROS = 1_000_000
N_OPEN_SERVICE = 197_000  # the latest repair orders: their service callbacks are open
N_OPEN_CASES = 30_000
N_CLOSED_CASES = 20_000
N_SURVEY_RESPONSES = 600_000
AGENTS_PER_STORE = 6
SA_PER_STORE = 6
SC_PER_STORE = 8
TEAMS_PER_STORE = 4

# (code, name, plate prefix, city, districts) — ten Anhui FAW Toyota stores of one group.
STORES = [
    ("HF1", "合肥鑫宝丰田", "皖A", "合肥市", ["蜀山区", "包河区", "庐阳区", "瑶海区"]),
    ("HF2", "合肥鑫宝丰田滨湖店", "皖A", "合肥市", ["包河区", "肥西县", "肥东县"]),
    ("WH", "芜湖鑫宝丰田", "皖B", "芜湖市", ["镜湖区", "鸠江区", "弋江区"]),
    ("BB", "蚌埠鑫宝丰田", "皖C", "蚌埠市", ["蚌山区", "龙子湖区", "禹会区"]),
    ("HN", "淮南鑫宝丰田", "皖D", "淮南市", ["田家庵区", "大通区", "谢家集区"]),
    ("MAS", "马鞍山鑫宝丰田", "皖E", "马鞍山市", ["雨山区", "花山区", "博望区"]),
    ("AQ", "安庆鑫宝丰田", "皖H", "安庆市", ["迎江区", "大观区", "宜秀区"]),
    ("FY", "阜阳鑫宝丰田", "皖K", "阜阳市", ["颍州区", "颍东区", "颍泉区"]),
    ("LA", "六安鑫宝丰田", "皖N", "六安市", ["金安区", "裕安区", "叶集区"]),
    ("XC", "宣城鑫宝丰田", "皖P", "宣城市", ["宣州区", "郎溪县", "广德市"]),
]
REGION_CODES = ["340104", "340111", "340202", "340302", "340402", "340503", "340802", "341202", "341502", "341802"]
STREETS = ["长江路", "黄山路", "望江路", "金寨路", "繁华大道", "人民路", "解放路", "梅山路", "皖西路", "淠河路"]


def log(message: str) -> None:
    print(f"[scale {time.strftime('%H:%M:%S')}] {message}", flush=True)
