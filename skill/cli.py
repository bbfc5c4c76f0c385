"""The ``backpain`` command: tools for trying and maintaining the skill."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from skill.nlu import InteractionModel, model_path


@click.group()
def main() -> None:
    """Back pain helper: an Alexa skill for back-pain self-care."""


@main.command()
@click.option("--json", "show_json", is_flag=True, help="Show the request and response JSON.")
@click.option(
    "--model",
    "model_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Interaction model to resolve typed text against (default: en-GB).",
)
def chat(show_json: bool, model_file: Path | None) -> None:
    """Talk to the skill as if you were speaking to an Echo.

    Start with "open back pain helper" or "ask back pain helper do I need a scan".
    Press Enter on an empty line to stay silent; type "quit" to leave.
    """
    from skill.chat import QUIT, Chat, render

    session = Chat(InteractionModel.load(model_file or model_path()))
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Back pain helper, local chat. Try: open back pain helper. Type quit to leave.")
    while True:
        try:
            line = input("you> ") if interactive else sys.stdin.readline()
        except (EOFError, KeyboardInterrupt):
            line = ""
            interactive = False
        if not interactive and not line:
            break  # end of input
        text = line.strip()
        if not interactive:
            click.echo(f"you> {text}")
        if text.lower() in QUIT:
            break
        exchange = session.say(text) if text else session.silence()
        if exchange is None:
            continue
        if isinstance(exchange, str):
            click.echo(f"Alexa (reprompt): {exchange}")
            continue
        for out in render(exchange, show_json=show_json):
            click.echo(out)
    session.close()
