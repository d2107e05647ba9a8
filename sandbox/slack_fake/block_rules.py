"""Block Kit structure rules that Slack enforces (and slack_sdk.models does not always check).

Errors read like Slack's: "<what is wrong> [json-pointer:/blocks/0/text/text]". Each limit is
the one Slack's Block Kit reference gives; the comments name the page, relative to
https://api.slack.com/reference/block-kit/ (blocks, block-elements, composition-objects).
"""

from __future__ import annotations

from typing import Any

SELECTS = {"static_select", "external_select", "users_select", "conversations_select"}
SELECTS |= {"channels_select"} | {f"multi_{s}" for s in set(SELECTS) | {"channels_select"}}
PICKERS = {"datepicker", "timepicker", "datetimepicker", "checkboxes", "radio_buttons"}
ACTIONS_ELEMENTS = SELECTS | PICKERS | {"button", "overflow", "workflow_button"}
INPUT_ELEMENTS = (SELECTS | PICKERS) - {"overflow"}
INPUT_ELEMENTS |= {"plain_text_input", "number_input", "email_text_input", "url_text_input"}
INPUT_ELEMENTS |= {"rich_text_input", "file_input"}
ACCESSORIES = SELECTS | PICKERS | {"button", "overflow", "image", "workflow_button"}
OTHER_BLOCKS = {"rich_text", "markdown", "file", "video", "table", "call"}
TEXT_TYPES = {"plain_text", "mrkdwn"}


class Checker:
    """Collects Slack-style errors while walking a list of blocks."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, message: str, pointer: str) -> None:
        self.errors.append(f"{message} [json-pointer:{pointer}]")

    def text(
        self, obj: Any, at: str, *, limit: int, plain: bool = False, need: bool = True
    ) -> None:
        if obj is None:
            if need:
                self.fail("missing required field: text", at)
            return
        if not isinstance(obj, dict) or obj.get("type") not in TEXT_TYPES:
            self.fail("must be a text object", at)
            return
        if plain and obj["type"] != "plain_text":
            self.fail("must be a plain_text object", f"{at}/type")
        text = obj.get("text")
        # composition-objects#text: "text ... Minimum length for this field is 1 character."
        if not isinstance(text, str) or not text:
            self.fail("must be more than 0 characters", f"{at}/text")
        elif len(text) > limit:
            self.fail(f"must be less than {limit + 1} characters", f"{at}/text")

    def length(self, value: Any, at: str, limit: int) -> None:
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            self.fail(f"must be less than {limit + 1} characters", at)

    def items(self, value: Any, at: str, low: int, high: int) -> list[Any]:
        if not isinstance(value, list) or not low <= len(value) <= high:
            self.fail(f"must have between {low} and {high} items", at)
            return value if isinstance(value, list) else []
        return value

    def option(self, opt: Any, at: str, *, plain: bool, in_overflow: bool = False) -> None:
        """composition-objects#option: `text` at most 75 characters, and "Overflow, select,
        and multi-select menus can only use plain_text objects, while radio buttons and
        checkboxes can use mrkdwn text objects"; `value` required, at most 150 characters;
        `description` plain_text (mrkdwn too in checkboxes and radio buttons), at most 75;
        `url` "only available in overflow menus", at most 3000 characters."""
        if not isinstance(opt, dict):
            self.fail("must be an option object", at)
            return
        self.text(opt.get("text"), f"{at}/text", limit=75, plain=plain)
        if not isinstance(opt.get("value"), str):
            self.fail("missing required field: value", f"{at}/value")
        self.length(opt.get("value"), f"{at}/value", 150)
        if "description" in opt:
            self.text(opt["description"], f"{at}/description", limit=75, plain=plain)
        if "url" in opt:
            if not in_overflow:
                self.fail("url is only allowed in overflow menu options", f"{at}/url")
            self.length(opt["url"], f"{at}/url", 3000)

    def element(self, el: Any, at: str, allowed: set[str]) -> None:
        kind = el.get("type") if isinstance(el, dict) else None
        if kind not in allowed:
            self.fail(f"unsupported element type {kind!r}", f"{at}/type")
            return
        assert isinstance(el, dict)
        # block-elements: every interactive element's action_id is at most 255 characters,
        # its placeholder a plain_text object of at most 150.
        self.length(el.get("action_id"), f"{at}/action_id", 255)
        if "placeholder" in el:
            self.text(el["placeholder"], f"{at}/placeholder", limit=150, plain=True)
        if kind == "button":
            # block-elements#button: text plain_text <= 75, value <= 2000, url <= 3000,
            # style "primary" or "danger".
            self.text(el.get("text"), f"{at}/text", limit=75, plain=True)
            self.length(el.get("value"), f"{at}/value", 2000)
            self.length(el.get("url"), f"{at}/url", 3000)
            if el.get("style") not in (None, "primary", "danger"):
                self.fail("must be one of primary, danger", f"{at}/style")
        elif kind == "image":
            # block-elements#image: image_url (or slack_file) and alt_text required,
            # alt_text <= 2000 characters.
            if not el.get("image_url") and not el.get("slack_file"):
                self.fail("missing required field: image_url", f"{at}/image_url")
            self.length(el.get("alt_text") or None, f"{at}/alt_text", 2000)
            if not el.get("alt_text"):
                self.fail("missing required field: alt_text", f"{at}/alt_text")
        elif kind in ("static_select", "multi_static_select"):
            # block-elements#static_select: options 1..100, or option_groups 1..100 each
            # with a plain_text label <= 75 and options 1..100; options are plain_text.
            if "option_groups" in el:
                for g, group in enumerate(
                    self.items(el["option_groups"], f"{at}/option_groups", 1, 100)
                ):
                    gat = f"{at}/option_groups/{g}"
                    self.text(
                        group.get("label") if isinstance(group, dict) else None,
                        f"{gat}/label",
                        limit=75,
                        plain=True,
                    )
                    opts = group.get("options") if isinstance(group, dict) else None
                    for i, opt in enumerate(self.items(opts, f"{gat}/options", 1, 100)):
                        self.option(opt, f"{gat}/options/{i}", plain=True)
            else:
                for i, opt in enumerate(self.items(el.get("options"), f"{at}/options", 1, 100)):
                    self.option(opt, f"{at}/options/{i}", plain=True)
        elif kind in ("overflow", "checkboxes", "radio_buttons"):
            # block-elements#overflow: "up to five option objects", plain_text;
            # #checkboxes and #radio: at most 10 options, which may use mrkdwn.
            high = 5 if kind == "overflow" else 10
            overflow = kind == "overflow"
            for i, opt in enumerate(self.items(el.get("options"), f"{at}/options", 1, high)):
                self.option(opt, f"{at}/options/{i}", plain=overflow, in_overflow=overflow)
        elif kind == "number_input" and not isinstance(el.get("is_decimal_allowed"), bool):
            # block-elements#number: is_decimal_allowed is required.
            self.fail("missing required field: is_decimal_allowed", f"{at}/is_decimal_allowed")
        elif kind == "plain_text_input":
            # block-elements#input: max_length is at most 3000, so no longer initial value
            # can ever be submitted.
            self.length(el.get("initial_value"), f"{at}/initial_value", 3000)

    def block(self, block: Any, at: str) -> None:
        kind = block.get("type") if isinstance(block, dict) else None
        if not isinstance(block, dict) or not isinstance(kind, str):
            self.fail("missing required field: type", at)
            return
        # blocks: every block_id is at most 255 characters.
        self.length(block.get("block_id"), f"{at}/block_id", 255)
        if kind == "section":
            # blocks#section: text or fields required; text <= 3000; fields 1..10, each
            # <= 2000.
            if "text" not in block and "fields" not in block:
                self.fail("must provide either text or fields", at)
            if "text" in block:
                self.text(block["text"], f"{at}/text", limit=3000)
            if "fields" in block:
                for i, fld in enumerate(self.items(block["fields"], f"{at}/fields", 1, 10)):
                    self.text(fld, f"{at}/fields/{i}", limit=2000)
            if "accessory" in block:
                self.element(block["accessory"], f"{at}/accessory", ACCESSORIES)
        elif kind == "header":
            # blocks#header: text is plain_text, <= 150 characters.
            self.text(block.get("text"), f"{at}/text", limit=150, plain=True)
        elif kind == "image":
            # blocks#image: the image element's fields, plus an optional plain_text title
            # <= 2000 characters.
            self.element({**block, "type": "image"}, at, {"image"})
            if "title" in block:
                self.text(block["title"], f"{at}/title", limit=2000, plain=True)
        elif kind == "context":
            # blocks#context: 1..10 elements, text objects or images.
            for i, el in enumerate(self.items(block.get("elements"), f"{at}/elements", 1, 10)):
                if isinstance(el, dict) and el.get("type") in TEXT_TYPES:
                    self.text(el, f"{at}/elements/{i}", limit=3000)
                else:
                    self.element(el, f"{at}/elements/{i}", {"image"})
        elif kind == "actions":
            # blocks#actions: 1..25 interactive elements; action_ids "unique among all other
            # action_ids in the containing block" (block-elements).
            elements = self.items(block.get("elements"), f"{at}/elements", 1, 25)
            seen: set[str] = set()
            for i, el in enumerate(elements):
                self.element(el, f"{at}/elements/{i}", ACTIONS_ELEMENTS)
                action_id = el.get("action_id") if isinstance(el, dict) else None
                if action_id and action_id in seen:
                    self.fail(f"duplicate action_id {action_id!r}", f"{at}/elements/{i}/action_id")
                seen.add(action_id or "")
        elif kind == "input":
            # blocks#input: label and hint are plain_text <= 2000; element required.
            self.text(block.get("label"), f"{at}/label", limit=2000, plain=True)
            if "hint" in block:
                self.text(block["hint"], f"{at}/hint", limit=2000, plain=True)
            if "element" not in block:
                self.fail("missing required field: element", f"{at}/element")
            else:
                self.element(block["element"], f"{at}/element", INPUT_ELEMENTS)
        elif kind == "markdown":
            # blocks#markdown: text, "cumulative limit of 12,000 characters".
            self.length(block.get("text"), f"{at}/text", 12000)
        elif kind != "divider" and kind not in OTHER_BLOCKS:
            self.fail(f"unsupported block type {kind!r}", f"{at}/type")


def check_blocks(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[str]:
    """Slack-style errors for a blocks array (empty when Slack would accept it)."""
    checker = Checker()
    if not isinstance(blocks, list):
        checker.fail("must be an array", pointer)
        return checker.errors
    # blocks: "Maximum of 50 blocks" in a message, 100 in a modal or Home tab (`limit`);
    # "block_id should be unique for each message and each iteration of a message".
    if len(blocks) > limit:
        checker.fail(f"must have no more than {limit} items", pointer)
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{i}")
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id:
            if block_id in block_ids:
                checker.fail(f"duplicate block_id {block_id!r}", f"{pointer}/{i}/block_id")
            block_ids.add(block_id)
    return checker.errors
