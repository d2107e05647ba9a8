"""What steps look up to check an outcome: rows in the database, requests the fake Stripe saw,
buttons and inputs in Slack messages and modals. Each lookup refuses (StepFailed) or returns
None when what it looks for is not there.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import select

from bot.demo.stage import JSON, Stage, StepFailed
from storage.models import Charge, Customer, Vendor


def button_url(message: JSON, label: str) -> str:
    """The URL of the button labelled `label` in `message`; refuses a message without one."""
    for block in message.get("blocks") or []:
        for element in [*(block.get("elements") or []), block.get("accessory") or {}]:
            text = (element.get("text") or {}).get("text")
            if element.get("type") == "button" and text == label and element.get("url"):
                return str(element["url"])
    raise StepFailed(f"the message has no “{label}” button with a link")


def modal_inputs(view: JSON) -> dict[str, Any]:
    """The modal's inputs as shown (its initial values): the person changes nothing."""
    inputs: dict[str, Any] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") or {}
        if block.get("type") != "input":
            continue
        if "initial_option" in element:
            inputs[block["block_id"]] = element["initial_option"]["value"]
        elif "initial_value" in element:
            inputs[block["block_id"]] = element["initial_value"]
    return inputs


async def vendor_row(stage: Stage, user: str) -> Vendor | None:
    async with stage.sessions() as session:
        return await session.scalar(select(Vendor).where(Vendor.slack_user_id == user))


async def customer_row(stage: Stage, email: str) -> Customer | None:
    async with stage.sessions() as session:
        return await session.scalar(select(Customer).where(Customer.email == email))


async def all_charges(stage: Stage) -> list[Charge]:
    async with stage.sessions() as session:
        return list((await session.scalars(select(Charge).order_by(Charge.created_at))).all())


async def stripe_saw_the_fee(stage: Stage, row: Charge) -> None:
    """The fake Stripe got one PaymentIntent for this charge, with the platform fee."""
    vendor = await vendor_by_id(stage, row.vendor_id)
    sent = [
        r
        for r in await stage.stripe_get("/_fake/requests")
        if r.get("path") == "/v1/payment_intents"
        and r.get("method") == "POST"
        and r.get("stripe_account") == vendor.stripe_account_id
        and str((r.get("params") or {}).get("metadata", {}).get("connectbot_charge_id")) == row.id
    ]
    if not sent:
        raise StepFailed(f"Stripe saw no PaymentIntent for {row.id} on the vendor's account")
    fee = str(sent[-1]["params"].get("application_fee_amount"))
    if fee != str(row.application_fee_amount):
        raise StepFailed(
            f"Stripe was asked for fee {fee}, the charge row says {row.application_fee_amount}"
        )


async def vendor_by_id(stage: Stage, vendor_id: int) -> Vendor:
    async with stage.sessions() as session:
        vendor = await session.get(Vendor, vendor_id)
    if vendor is None:
        raise StepFailed(f"no vendor row {vendor_id}")
    return vendor


async def shared_csv(stage: Stage, message: JSON) -> list[dict[str, str]]:
    """The rows of the CSV file shared with `message`, read through its download link as a
    person would download it; refuses a message without a file."""
    files = message.get("files") or []
    if not files:
        raise StepFailed("the message has no file")
    async with stage.http.get(str(files[0]["url_private_download"])) as resp:
        if resp.status != 200:
            raise StepFailed(f"the file's download link answered {resp.status}")
        text = (await resp.read()).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))
