"""The ``backpain`` command: tools for trying and maintaining the skill."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from skill.nlu import InteractionModel, model_path

if TYPE_CHECKING:
    from skill.chat import Exchange


@click.group()
def main() -> None:
    """Back pain helper: an Alexa skill for back-pain self-care."""


@main.command()
@click.option("--json", "show_json", is_flag=True, help="Show the request and response JSON.")
@click.option(
    "--screen",
    "screen",
    is_flag=True,
    help='Be an Echo Show: print what the screen shows; type "tap yes" to tap a button.',
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Interaction model to resolve typed text against (default: en-GB).",
)
def chat(show_json: bool, screen: bool, model_file: Path | None) -> None:
    """Talk to the skill as if you were speaking to an Echo.

    Start with "open back pain helper" or "ask back pain helper do I need a scan".
    Press Enter on an empty line to stay silent; type "quit" to leave. With --screen,
    "tap <button>" taps a button on the screen ("tap yes", "tap not sure", "tap 2").
    """
    from skill import envelopes
    from skill.chat import QUIT, TAP, Chat, render

    interfaces = dict(envelopes.APL_INTERFACE) if screen else {}
    session = Chat(InteractionModel.load(model_file or model_path()), interfaces=interfaces)
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
        if text.lower().startswith(TAP):
            tapped = session.tap(text[len(TAP) :])
            if isinstance(tapped, str):
                click.echo(f"  ({tapped})")
                continue
            exchange: Exchange | str | None = tapped
        else:
            exchange = session.say(text) if text else session.silence()
        if exchange is None:
            continue
        if isinstance(exchange, str):
            click.echo(f"Alexa (reprompt): {exchange}")
            continue
        for out in render(exchange, show_json=show_json):
            click.echo(out)
    session.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--skill-id",
    envvar="SKILL_ID",
    default=None,
    help="Your skill's id (amzn1.ask.skill...); requests for others are refused. [env: SKILL_ID]",
)
@click.option(
    "--insecure-dev",
    is_flag=True,
    help="Turn OFF request verification, for local tools that cannot sign. Never in production.",
)
def serve(host: str, port: int, skill_id: str | None, insecure_dev: bool) -> None:
    """Serve the skill over HTTP for development (POST /alexa, GET /health).

    Verification is on, and SKILL_ID is required, unless --insecure-dev is given.
    In production run gunicorn behind TLS instead; see the README.
    """
    import logging

    from skill.verify import AlexaRequestVerifier
    from skill.web import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    if insecure_dev:
        click.secho(
            "WARNING: request verification is OFF (--insecure-dev). Anyone who can reach "
            "this port can drive the skill. Never use this in production.",
            fg="red",
            bold=True,
            err=True,
        )
        app = create_app(skill_id=skill_id, verifier=None)
    else:
        if not skill_id:
            raise click.UsageError("set SKILL_ID (or --skill-id), or use --insecure-dev locally")
        app = create_app(skill_id=skill_id, verifier=AlexaRequestVerifier())
    app.run(host=host, port=port, debug=False, use_reloader=False)


def _project_root() -> Path:
    """The source checkout this command runs in (the folder holding pyproject.toml)."""
    return Path(__file__).resolve().parent.parent


@main.command()
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: this checkout).",
)
def validate(root: Path | None) -> None:
    """Check the interaction models and skill manifest against Alexa's rules and the code.

    Prints one line per finding (file, JSON path, severity, message); exits 1 on any error.
    """
    from skill.validate import validate_project

    findings = validate_project(root or _project_root())
    for finding in findings:
        click.echo(str(finding))
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    click.echo(f"{errors} errors, {warnings} warnings", err=True)
    if errors:
        sys.exit(1)


@main.command("sync-model")
def sync_model() -> None:
    """Copy interaction_model/*.json into skill-package/ for the ASK CLI (never by hand)."""
    from skill.validate import sync_model as copy_models

    written = copy_models(_project_root())
    for path in written:
        click.echo(f"updated {path}")
    if not written:
        click.echo("skill-package/ is already in sync")


@main.command()
@click.option("--runtime", type=click.Choice(["3.12", "3.13"]), default="3.12", show_default=True)
@click.option(
    "--arch",
    "architecture",
    type=click.Choice(["arm64", "x86_64"]),
    default="arm64",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("dist/lambda.zip"),
    show_default=True,
)
@click.option(
    "--bytecode",
    is_flag=True,
    help="Also ship precompiled bytecode (faster cold starts); needs a Python of the runtime's "
    "version, such as python3.12 on PATH.",
)
@click.option("--python", "python", default=None, help="The interpreter --bytecode compiles with.")
def package(
    runtime: str, architecture: str, output: Path, bytecode: bool, python: str | None
) -> None:
    """Build the Lambda zip (reproducible); also unpacked in build/lambda for the ASK CLI."""
    from skill.package import PackageError, build

    root = _project_root()
    try:
        built = build(
            root,
            output,
            runtime=runtime,
            architecture=architecture,
            unpacked=root / "build" / "lambda",
            bytecode=bytecode,
            python=python,
        )
    except PackageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{built.path}  python{runtime} {architecture}  {built.files} files")
    click.echo(f"size    {built.size:,} bytes ({built.size / 1_000_000:.2f} MB)")
    click.echo(f"sha256  {built.sha256}")
