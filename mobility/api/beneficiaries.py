"""GET /api/v1/beneficiaries: the people followed, with what each may rent today and why not."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from mobility.api.blueprint import PRESCRIBERS, blp, current_api_user, roles_allowed
from mobility.api.bookings import _today, followed_beneficiaries
from mobility.api.schemas.beneficiaries import BeneficiaryPageQuerySchema, FollowedBeneficiaryPageSchema
from mobility.audit.services import record_reads
from mobility.booking.eligibility import refusals_by_category
from mobility.booking.eligibility_settings import eligibility_settings
from mobility.booking.models import HOLDING_STATUSES, Booking
from mobility.core.db import commit_keeping_loaded
from mobility.extensions import db


def _followers_only() -> str:
    return _("Seuls les référents et les administrateurs suivent des personnes.")


def _holding_counts(beneficiary_ids: list[int]) -> dict[int, int]:
    """services.holding_bookings_of for a page of people, in one query."""
    rows = db.session.execute(
        select(Booking.beneficiary_id, func.count(Booking.id))
        .where(Booking.beneficiary_id.in_(beneficiary_ids), Booking.status.in_(HOLDING_STATUSES))
        .group_by(Booking.beneficiary_id)
    )
    return {beneficiary_id: count for beneficiary_id, count in rows}


@blp.route("/beneficiaries", methods=["GET"])
@blp.errors(403, 422)
@blp.doc(operationId="list_beneficiaries", tags=["beneficiaries"])
@roles_allowed(*PRESCRIBERS, message=_followers_only)
@blp.arguments(BeneficiaryPageQuerySchema, location="query")
@blp.response(200, FollowedBeneficiaryPageSchema, description="Une page des personnes suivies.")
def beneficiaries(query):
    """Les personnes suivies, une page à la fois, avec ce que chacune peut louer aujourd'hui

    Each person listed is a read of their file: one audit row per person returned. The page is
    read on the index beneficiary(organisation_id, last_name, first_name, id); `count` (kept in
    the contract) counts the organisation's files on the same index, without reading them.
    """
    user = current_api_user()
    per_page = query["per_page"]
    page = db.paginate(
        followed_beneficiaries(user),
        page=query["page"],
        per_page=per_page,
        max_per_page=per_page,
        error_out=False,
    )
    people = list(page.items)
    holding = _holding_counts([person.id for person in people])
    settings = eligibility_settings()
    today = _today()
    listed = []
    for person in people:
        refusals = refusals_by_category(person, holding.get(person.id, 0), today, settings)
        listed.append(
            {
                "id": person.id,
                "display_name": person.display_name,
                "basin": person.basin,
                "holding_bookings": holding.get(person.id, 0),
                "eligible_categories": [category.value for category, why in refusals.items() if not why],
                "refusals_by_category": {
                    category.value: [refusal.worded_for(staff=True).as_dict() for refusal in why]
                    for category, why in refusals.items()
                },
            }
        )
    record_reads("beneficiary", [person.id for person in people], actor=user)
    # The answer is serialised after this commit: the people and basins read stay loaded.
    commit_keeping_loaded()
    return {
        "count": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "has_next": page.has_next,
        "beneficiaries": listed,
    }
