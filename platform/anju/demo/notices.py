"""Demo notices for Anjuyuan: the notice list, the moderation workflow, and a few
notices of each kind. Idempotent: a notice that exists (by slug) is left alone."""

from anju.community.models import Grid, SpecialGroup
from anju.notices import categories
from anju.notices.models import Audience, NoticeIndexPage, NoticePage
from anju.notices.workflow import ensure_notice_workflow

from .community import CODE as COMMUNITY_CODE

NOTICES = (
    {
        "slug": "gas-safety-check",
        "title": "关于开展燃气安全入户检查的通知",
        "category": categories.SAFETY,
        "pinned": True,
        "must_reach_every_household": True,
        "summary": "下周起，燃气公司和社区工作人员将逐户上门检查燃气管道和灶具。",
        "body": "<p>今年社区已为居民通上了天然气。为保障用气安全，燃气公司将联合社区网格员"
        "逐户上门检查，请家中留人。</p><p>检查不收取任何费用，请勿相信上门推销。</p>",
    },
    {
        "slug": "low-income-application",
        "title": "2026年低保申请受理说明",
        "category": categories.POLICY,
        "summary": "低保申请可在便民服务站办理，网格员可代办。",
        "body": "<p>符合条件的家庭可到便民服务站提出低保申请，行动不便的由网格员上门代办。</p>",
        "audience": Audience.GROUPS,
        "groups": (SpecialGroup.LOW_INCOME,),
    },
    {
        "slug": "job-fair",
        "title": "巾帼护航 职等你来——社区专场招聘会",
        "category": categories.EMPLOYMENT,
        "summary": "妇联与就业服务站联合举办，30余家企业提供岗位。",
        "body": "<p>本周六上午在社区广场举行招聘会，欢迎有就业意愿的居民参加。</p>",
        "audience": Audience.GROUPS,
        "groups": (SpecialGroup.MIGRANT_WORKER,),
    },
    {
        "slug": "seven-colour-classroom",
        "title": "七彩课堂寒假班开始报名",
        "category": categories.ACTIVITY,
        "summary": "为外出务工家庭的孩子提供课后看护和作业辅导。",
        "body": "<p>报名请到社区服务站或联系本网格网格员。</p>",
        "audience": Audience.GROUPS,
        "groups": (SpecialGroup.MIGRANT_WORKER, SpecialGroup.MIGRANT_CHILD),
    },
    {
        "slug": "finance-disclosure",
        "title": "社区第三季度财务公示",
        "category": categories.PUBLIC_AFFAIRS,
        "summary": "第三季度收支情况公示，欢迎居民监督。",
        "body": "<p>公示期为七天，如有疑问请联系社区两委。</p>",
        "audience": Audience.GRIDS,
        "grids": (1,),
    },
)


def load_notices(home, out: list[str]) -> None:
    index = NoticeIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=NoticeIndexPage(title="通知公告", slug="notices", intro="社区的通知和公示")
        )
    ensure_notice_workflow([index])
    existing = set(NoticePage.objects.child_of(index).values_list("slug", flat=True))
    created = 0
    for spec in NOTICES:
        if spec["slug"] in existing:
            continue
        spec = dict(spec)
        groups = spec.pop("groups", ())
        grids = spec.pop("grids", ())
        notice = NoticePage(**spec)
        if groups:
            notice.audience_groups = list(SpecialGroup.objects.filter(code__in=groups))
        if grids:
            notice.audience_grids = list(
                Grid.objects.filter(community__code=COMMUNITY_CODE, number__in=grids)
            )
        index.add_child(instance=notice)
        notice.save_revision().publish()
        created += 1
    out.append(f"notices: {len(NOTICES)} ({created} new)")
