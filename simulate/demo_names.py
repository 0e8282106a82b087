"""Name lists for the demo district and a drawer that keeps names unique within the district.

The names are fictional but read like a south-western Chinese city: communities with auspicious
or landscape syllables, villages with Guizhou place-name elements (寨, 坝, 冲, 堡, 哨, 铺), roads
with the roots most Chinese cities share (人民, 解放, 中山…). Pure module: no Django.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Two-syllable community names (XX社区) are drawn from FIRST × SECOND.
COMMUNITY_FIRST = tuple("和平安康乐兴华明福宁光春秀祥泰瑞荣德顺丰嘉锦富盛新红金玉龙凤云翠文")
COMMUNITY_SECOND = tuple("苑园湖桥山林溪泉坊门关坡湾庭港阁亭岭江河城")

# Villages (XX村): a family or landform root and a place-name element.
VILLAGE_ROOTS = (
    "王家",
    "陈家",
    "杨家",
    "李家",
    "张家",
    "罗家",
    "吴家",
    "刘家",
    "赵家",
    "黄家",
    "周家",
    "龙家",
    "石板",
    "高坡",
    "水口",
    "大塘",
    "小河",
    "松林",
    "竹林",
    "青杠",
    "马场",
    "牛角",
    "白岩",
    "黑石",
    "麻窝",
    "茶园",
    "梨树",
    "桃园",
    "花桥",
    "油菜",
    "谷堆",
    "沙坝",
)
VILLAGE_ELEMENTS = tuple("寨坝冲堡坡湾田井哨铺庄沟")

# Road roots (XX路, XX大道, XX街); lanes (XX巷) have their own roots.
ROAD_ROOTS = (
    "人民",
    "解放",
    "中山",
    "新华",
    "建设",
    "和平",
    "文化",
    "胜利",
    "光明",
    "友谊",
    "朝阳",
    "东风",
    "红旗",
    "团结",
    "振兴",
    "长江",
    "黄河",
    "延安",
    "遵义",
    "宝山",
    "富水",
    "瑞金",
    "省府",
    "市府",
    "环城",
    "滨河",
    "沿江",
    "翠湖",
    "文昌",
    "望江",
    "云岩",
    "金桂",
    "枫林",
    "清溪",
    "龙泉",
    "长乐",
    "太平",
    "北门",
    "南桥",
    "东山",
    "西岭",
    "松坪",
    "石桥",
    "黔灵",
    "观山",
    "甲秀",
    "青云",
    "兴筑",
    "林城",
    "都司",
    "护国",
    "箭道",
    "公园",
    "科学",
    "学院",
    "体育",
    "博爱",
    "花溪",
    "阳明",
    "飞山",
    "南明",
    "小十",
    "毓秀",
    "贵山",
    "狮峰",
    "凤凰",
    "紫林",
    "碧海",
    "金关",
    "银杏",
    "芙蓉",
    "玉兰",
    "梧桐",
    "香樟",
    "海棠",
    "桂花",
    "荷塘",
    "星光",
    "月亮",
    "彩虹",
    "春晖",
    "秋实",
    "丰收",
    "育才",
    "启明",
)
ROAD_FIRST = tuple("东西南北中上下新老大小金银玉翠青红白黄长永")
ROAD_SECOND = tuple("安宁兴华盛昌隆平和康乐泰福寿丰源湖山溪桥")
LANE_ROOTS = (
    "青石",
    "双井",
    "槐树",
    "油榨",
    "狮子",
    "豆芽",
    "盐行",
    "书院",
    "牌坊",
    "马棚",
    "铁匠",
    "染坊",
    "箩筐",
    "棉花",
    "醋坊",
    "酱园",
    "茶馆",
    "粮仓",
    "水井",
    "石阶",
    "古槐",
    "银杏",
    "灯笼",
    "竹篮",
    "米市",
    "布行",
    "铜鼓",
    "瓦窑",
    "糖坊",
    "纸坊",
)
LANE_SUFFIXES = ("巷", "巷", "一巷", "二巷", "三巷")
CHINESE_NUMBERS = tuple("一二三四五六七八九十")

# Points of interest.
PLACE_ROOTS = (
    "阳光",
    "锦绣",
    "翠苑",
    "金桂",
    "碧水",
    "蓝湾",
    "云顶",
    "山水",
    "世纪",
    "龙湖",
    "星河",
    "御景",
    "半山",
    "观澜",
    "紫薇",
    "丽景",
    "怡园",
    "康乐",
    "幸福",
    "和谐",
    "盛世",
    "华府",
    "东方",
    "南山",
    "北辰",
    "西城",
    "时代",
    "未来",
    "恒丰",
    "鼎盛",
    "君悦",
    "雅居",
)
RESIDENTIAL_SUFFIXES = ("小区", "花园", "苑", "家园", "雅居", "公寓", "新村", "华庭")
PARK_SUFFIXES = ("公园", "湿地公园", "森林公园", "广场")
MARKET_SUFFIXES = ("农贸市场", "菜市场", "综合市场")
HOSPITALS = (
    "区人民医院",
    "区中医医院",
    "区妇幼保健院",
    "区第二人民医院",
    "区精神卫生中心",
    "区疾病预防控制中心",
)


class NameDrawer:
    """Draws names from syllable lists with the district's random generator, never twice."""

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def pick(self, options: Sequence[str]) -> str:
        return options[int(self._rng.integers(len(options)))]

    def take(self, name: str) -> bool:
        """Claim ``name``; False if it is already used."""
        if name in self._used:
            return False
        self._used.add(name)
        return True

    def draw(self, *parts: Sequence[str]) -> str:
        """One unused name made of one choice from each of ``parts`` (a 1-tuple is a fixed
        suffix)."""
        for _ in range(2000):
            name = "".join(self.pick(options) for options in parts)
            if self.take(name):
                return name
        raise RuntimeError(f"no unused name left in {parts!r}")

    def community(self) -> str:
        return self.draw(COMMUNITY_FIRST, COMMUNITY_SECOND, ("社区",))

    def village(self) -> str:
        return self.draw(VILLAGE_ROOTS, VILLAGE_ELEMENTS, ("村",))

    def road(self, suffixes: Sequence[str]) -> str:
        # The familiar roots first; combinations of single syllables once they run out.
        for _ in range(50):
            name = self.pick(ROAD_ROOTS) + self.pick(suffixes)
            if self.take(name):
                return name
        return self.draw(ROAD_FIRST, ROAD_SECOND, suffixes)

    def lane(self, parent: str, index: int) -> str:
        """A numbered lane off ``parent`` (文昌路三巷) or, every other time, one of its own."""
        if index < len(CHINESE_NUMBERS) and self._rng.random() < 0.5:
            name = f"{parent}{CHINESE_NUMBERS[index]}巷"
            if self.take(name):
                return name
        return self.draw(LANE_ROOTS, LANE_SUFFIXES)

    def place(self, suffixes: Sequence[str]) -> str:
        return self.draw(PLACE_ROOTS, suffixes)
