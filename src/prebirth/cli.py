"""The ``prebirth`` command: build, demo, validate, template.

Exit codes: 0 built; 1 a chapter failed (the others were built); 2 bad parameters or
bad data (nothing overwritten).
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .exit_codes import EXIT_BAD_INPUT, EXIT_OK, EXIT_STOPPED

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Pre-birth Data Book: build a book about babies in care proceedings for your area.")


def _print_data_error(exc) -> None:
    errors = exc.errors
    typer.echo(f"The data cannot be used yet: {len(errors)} problem(s) to fix. Nothing was overwritten.", err=True)
    for problem in errors:
        typer.echo(f"  - {problem.describe()}", err=True)


@app.command()
def build(
    areas: list[Path] = typer.Argument(..., help="parameters file(s), e.g. areas/demo.yml"),
    jobs: Optional[int] = typer.Option(None, "-j", "--jobs", min=1,
                                       help="notebooks executed at once, across all the areas (default: CPU count)"),
    force: bool = typer.Option(False, "--force", help="read the data and re-execute every chapter, ignoring the cache"),
    output: Optional[Path] = typer.Option(None, "--output", help="build folder (default: _build/ in the current "
                                                                  "folder)"),
) -> None:
    """Build the book for one or more areas (several areas: one summary and a site index)."""
    import time
    import traceback

    from .build import build_areas, summary_table
    from .config import ParameterError
    from .data.problems import DataError
    from .exit_codes import BuildError

    def report(area: Path, exc: BaseException) -> None:
        from .disclosure import AuditFailed

        if isinstance(exc, ParameterError):
            typer.echo(str(exc), err=True)
        elif isinstance(exc, DataError):
            typer.echo(f"{area}:", err=True)
            _print_data_error(exc)
        elif isinstance(exc, BuildError):
            typer.echo(f"{area}: the book could not be built: {exc}", err=True)
        elif isinstance(exc, AuditFailed):
            typer.echo(f"{area}: the book was not published (the last good book is kept): {exc}", err=True)
        else:  # a fault in the program, not in the analyst's input: show where
            typer.echo(f"{area}: the book could not be built because of an unexpected error:", err=True)
            typer.echo("".join(traceback.format_exception(exc)), err=True)

    started = time.perf_counter()
    try:
        outcomes = build_areas(areas, jobs=jobs, force=force, output_root=output, on_error=report)
    except ParameterError as exc:  # the output folder is not the build's to write in: nothing was written
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        typer.echo("\nStopped. Every book published before keeps its last complete version; "
                   "run the same command again to finish.", err=True)
        raise typer.Exit(EXIT_STOPPED)
    index = (output or _default_output()) / "index.html"
    if len(outcomes) > 1:
        failed = [o for o in outcomes if o.exit_code]
        typer.echo(f"\n{len(outcomes)} areas in {time.perf_counter() - started:.1f} s: "
                   f"{len(outcomes) - len(failed)} built, {len(failed)} not")
        typer.echo(summary_table(outcomes))
    if index.exists() and len(outcomes) > 1:
        typer.echo(f"Site index: {index}")
    raise typer.Exit(max((o.exit_code for o in outcomes), default=EXIT_OK))


def _default_output() -> Path:
    from .publish import default_output

    return default_output()


@app.command()
def demo(
    root: Path = typer.Option(Path("."), help="project folder to write data/demo/ and areas/demo.yml into"),
    seed: int = typer.Option(20240401, help="random seed (the same seed gives the same files)"),
) -> None:
    """Write the synthetic demo area (data/demo/) and its parameters (areas/demo.yml)."""
    from .synth import write_demo

    path = write_demo(root, seed=seed)
    typer.echo(f"Demo area written: {path}")


@app.command()
def validate(area: Path = typer.Argument(..., help="parameters file, e.g. areas/my_area.yml")) -> None:
    """Check the parameters, the data and the benchmarks, and print every problem found (nothing is built)."""
    from .config import ParameterError, load_parameters
    from .data.benchmarks import load_benchmarks
    from .data.load import load_area_data
    from .data.problems import DataError

    try:
        params = load_parameters(area)
    except ParameterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    # The benchmarks' warnings are listed too (their errors come with the data's, all at once).
    benchmarks = load_benchmarks(params.benchmarks, strict=False) if params.benchmarks is not None else None
    bench_warnings = [p for p in benchmarks.problems if p.level == "warning"] if benchmarks else []
    try:
        data = load_area_data(params.data, params.sources, area_code=params.area_code, benchmarks=params.benchmarks)
    except DataError as exc:
        _print_data_error(exc)
        for problem in [p for p in exc.problems if p.level == "warning"] + bench_warnings:
            typer.echo(f"  (warning) {problem.describe()}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(f"{params.area_name}: the data can be used.")
    for name, frame in data.tables.items():
        typer.echo(f"  {name}: {len(frame):,} rows")
    if benchmarks is not None:
        typer.echo(f"  benchmarks: {len(benchmarks.tidy):,} figures from {len(benchmarks.files):,} file(s)")
    warnings = data.warnings + bench_warnings
    if warnings:
        typer.echo(f"{len(warnings)} warning(s) (the book will still build):")
        for problem in warnings:
            typer.echo(f"  - {problem.describe()}")
    else:
        typer.echo("No warnings.")


@app.command()
def template(path: Path = typer.Argument(..., help="workbook to write, e.g. my_area.xlsx")) -> None:
    """Write an empty workbook of the canonical tables, with a README sheet and drop-down lists."""
    from .data.template import write_template

    if path.exists():
        typer.echo(f"{path} already exists; choose another name (it was not overwritten).", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    write_template(path)
    typer.echo(f"Template written: {path}")


@app.command()
def slides(
    area: Path = typer.Argument(..., help="parameters file of a built book, e.g. areas/demo.yml"),
    chapter: Optional[int] = typer.Option(None, "--chapter", "-c", help="the chapter to present (0 to 9)"),
    workshop: bool = typer.Option(False, "--workshop", help="one deck across the chapters (main points, one chart a "
                                                            "slide, prompts, speaker notes) instead of one chapter"),
    output: Optional[Path] = typer.Option(None, "--output", help="build folder the book was built into "
                                                                 "(as given to build --output; default: _build/)"),
    to: Optional[Path] = typer.Option(None, "--to", help="file to write (default: <build>/<area>/slides/<chapter>.html)"),
) -> None:
    """Write a slide deck of one chapter, or of every chapter (--workshop): one HTML file that opens with no
    network."""
    from .config import ParameterError
    from .slides import SlidesError, write_chapter_deck

    if workshop == (chapter is not None):
        typer.echo("Give --chapter N (one chapter) or --workshop (every chapter), one of the two.", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        if workshop:
            from .workshop import write_workshop_deck

            path = write_workshop_deck(area, output_root=output, to=to)
        else:
            path = write_chapter_deck(area, chapter, output_root=output, to=to)
    except ParameterError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    except SlidesError as exc:
        typer.echo(f"{area}: cannot make slides: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    typer.echo(f"Slides written: {path} (open it in a browser; arrow keys move between slides)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
