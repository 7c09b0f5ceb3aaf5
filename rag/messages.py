"""The product's own words (framing text around quotes), in Chinese and English.

Place, year and title come from the documents' metadata, never from constants; the Chinese text
is converted to traditional characters when the question came in traditional
(``rag.normalize.to_script``). Quotes from the reports are never passed through here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .normalize import to_script


@dataclass(frozen=True)
class Messages:
    not_mentioned: str
    not_mentioned_in: str
    no_figure: str
    figure_not_given: str
    nearby_figure: str
    total: str
    list_: str
    when: str
    where: str
    yesno_unsettled: str
    yes: str
    says: str
    reports: str  # the settling clause rules the thing out (杜绝…): the caller hears it, not a bare yes
    missing_scope: str
    held: str
    home_silent: str
    empty: str
    nearest: str
    answer_lead: str
    sources: str
    line: str
    target: str
    result: str
    plan: str
    list_lead: str
    definition_lead: str
    too_long: str
    no_definition: str
    year_not_held: str


ZH = Messages(
    not_mentioned="报告中没有提到这方面的内容。",
    not_mentioned_in="{title}中没有提到这方面的内容。",
    no_figure="报告没有给出这一具体数字。",
    figure_not_given="{title}没有给出这一数字。",
    nearby_figure="报告给出的相近数字是：{metric}：{figure}（不是所问的指标）",
    total="报告只给出了新增的数量，没有给出总数。",
    list_="报告只提到了数量，没有列出具体名单。",
    when="报告没有给出具体时间。",
    where="报告没有给出具体地点。",
    yesno_unsettled="报告没有说明这一点。",
    yes="是的，报告提出：",
    says="不是。报告提出的是：",
    reports="报告提出：",
    missing_scope="资料库中没有{what}的政府工作报告。",
    held="现有报告：{held}。",
    home_silent="{home}未提及；",
    empty="请输入一个关于政府工作报告的问题（现有：{held}）。",
    nearest="最接近的段落：",
    answer_lead="",
    sources="出处：",
    line="第{line}行",
    target="{year}年目标",
    result="{year}年实际",
    plan="{year}年安排",
    list_lead="报告提出的主要举措：",
    definition_lead="报告的解释：",
    too_long="问题太长（{n}字），请控制在{limit}字以内。",
    no_definition="报告使用了这个说法，但没有给出解释。",
    year_not_held="资料库中没有{what}的政府工作报告或数据。",
)
EN = Messages(
    not_mentioned="The report does not mention this.",
    not_mentioned_in="{title} does not mention this.",
    no_figure="The report does not give a figure for this.",
    figure_not_given="{title} does not give this figure.",
    nearby_figure="The nearest figure the report gives is for another metric: {metric}: {figure}",
    total="The report only gives the additions, not a total.",
    list_="The report only gives a count; it does not list the items.",
    when="The report does not give a date for this.",
    where="The report does not say where.",
    yesno_unsettled="The report does not say.",
    yes="Yes. The report says: ",
    says="No. The report says: ",
    reports="The report says: ",
    missing_scope="The collection holds no government work report for {what}.",
    held="Reports held: {held}.",
    home_silent="{home} does not mention this; ",
    empty="Please ask a question about the government work reports (held: {held}).",
    nearest="Nearest passages (quoted in Chinese):",
    answer_lead="According to the report: ",
    sources="Sources (quoted in Chinese):",
    line="line {line}",
    target="{year} target",
    result="{year} result",
    plan="{year} plan",
    list_lead="The measures the report names:",
    definition_lead="The report explains: ",
    too_long="The question is too long ({n} characters); please keep it under {limit}.",
    no_definition="The report uses the term but does not explain it.",
    year_not_held="The collection holds no report or figures for {what}.",
)


class Frame:
    """Messages for one answer: the question's language and script."""

    def __init__(self, lang: str, script: str = "hans"):
        self.lang = lang
        self.script = script
        self.m = EN if lang == "en" else ZH

    def __call__(self, key: str, **values) -> str:
        text = getattr(self.m, key).format(**values)
        return text if self.lang == "en" else to_script(text, self.script)


def messages(lang: str) -> Messages:
    return EN if lang == "en" else ZH
