"""The ``verifier`` command: check one message (argument or stdin) or a whole file of messages.

    verifier check "【某某消费金融】您的借款已逾期…" [--sender 95xxx] [--time 2026-11-20T23:40]
    verifier check                      # paste, then Ctrl-D
    verifier check -f inbox.jsonl       # .jsonl / .txt / .csv / SMS Backup & Restore .xml → JSON lines
    verifier serve                      # the local web page

Exit status: 0 on success, 2 for bad input (empty text, unreadable file), 3 when the model
cannot be used.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_BAD_INPUT = 2
EXIT_MODEL = 3

_COLORS = {"legitimate": "32", "suspicious": "33", "abusive": "35", "scam": "31"}
_ICONS = {"legitimate": "✔", "suspicious": "?", "abusive": "!", "scam": "✖"}


def _use_color(stream) -> bool:
    return hasattr(stream, "isatty") and stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _c(s: str, code: str, on: bool) -> str:
    return f"\033[{code}m{s}\033[0m" if on else s


_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")


def _visible_char(c: str) -> str:
    o = ord(c)
    if o < 0x20 and c not in "\n\t":
        return chr(0x2400 + o)          # ␛ for ESC, ␍ for CR …: shown, never obeyed
    if o == 0x7F:
        return "\u2421"
    if 0x80 <= o < 0xA0 or c in _BIDI:
        return f"<U+{o:04X}>"
    return c


def visible(s: str) -> str:
    """Message text as the terminal may show it: control and bidi characters become visible
    placeholders, so a message cannot move the cursor, recolour or reorder the verdict."""
    if s.isprintable():
        return s
    return "".join(map(_visible_char, s))


def highlight(text: str, evidence, on: bool, marks=("[", "]")) -> str:
    """The original message with evidence spans highlighted (colour on a terminal, [brackets] otherwise)."""
    spans = sorted({(e.start, e.end) for e in evidence if e.start is not None and e.end is not None})
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, last = [], 0
    for s, e in merged:
        out.append(visible(text[last:s]))
        seg = visible(text[s:e])
        out.append(_c(seg, "1;4", True) if on else f"{marks[0]}{seg}{marks[1]}")
        last = e
    out.append(visible(text[last:]))
    return "".join(out)


def merged_evidence(evidence, text: str) -> list[tuple]:
    """Evidence as a reader wants it: items quoting the same or overlapping words become one
    (the strongest reason, its quote widened to the whole overlap, and how many others agree);
    evidence about the sender or the time stays as it is."""
    groups: list[list] = []  # [start, end, best, count]
    rest = []
    for e in evidence:
        if e.start is None:
            rest.append((e, 0))
            continue
        for g in groups:
            if e.start < g[1] and g[0] < e.end:
                g[0], g[1] = min(g[0], e.start), max(g[1], e.end)
                g[3] += 1
                break
        else:
            groups.append([e.start, e.end, e, 0])
    out = []
    for s, e_, best, more in groups:
        if (s, e_) != (best.start, best.end):
            from dataclasses import replace

            best = replace(best, start=s, end=e_, quote=text[s:e_])
        out.append((best, more))
    return out + rest


def render(v, text: str, lang: str = "zh", color: bool = False, explain: bool = False) -> str:
    from .explain import confidence_words, public_basis

    en = lang == "en"
    L = []
    head = f"{_ICONS[v.label]} {v.label_text}" + ("" if en else f"（{v.label}）")
    conf = f"{'confidence' if en else '置信度'}: {v.confidence:.0%} ({confidence_words(v.confidence, lang)})"
    L.append(_c(head, "1;" + _COLORS[v.label], color) + "   " + conf)
    L.append(v.summary)
    if v.lender:
        hot = " / ".join(v.lender.get("hotlines", [])[:2])
        L.append((f"Claims to be from: {v.lender['short']}" + (f" (official hotline {hot})" if hot else "")) if en
                 else f"自称来自：{v.lender['short']}" + (f"（官方客服 {hot}）" if hot else ""))
    if v.advice:  # what to do comes right after the verdict, before the reasons
        L.append("")
        L.append("What to do:" if en else "建议：")
        for a in v.advice:
            L.append(f"  • {a}")
    if any(e.start is not None for e in v.evidence):
        L.append("")
        L.append("Message:" if en else "短信原文（标出的是判断依据）：")
        L.append("  " + highlight(text, v.evidence, color).replace("\n", "\n  "))
    if v.evidence:
        L.append("")
        L.append("Evidence:" if en else "依据：")
        shown = v.evidence if explain else [e for e in v.evidence if e.label != "legitimate" or v.label == "legitimate"] or list(v.evidence)
        for e, more in (((e, 0) for e in shown) if explain else merged_evidence(shown, text)[:8]):
            q = f"“{visible(e.quote)}” " if e.quote else ("(sender/time) " if en else "（号码/时间）")
            w = f" [{e.signal} {e.rank:g}]" if explain else ""
            extra = (f" (+{more} related)" if en else f"（另有 {more} 条相关依据）") if more else ""
            L.append(f"  • {q}— {e.explanation}{extra}{w}")
            basis = public_basis(e.basis, lang) if explain else ""
            if basis:
                L.append(f"      {'basis' if en else '依据'}: {basis}")
    for n in v.notes:
        L.append(f"({n})")
    if explain:
        L.append("")
        L.append("Decision trace:" if en else "判断过程：")
        L.append(f"  decided_by = {v.decided_by}")
        L.append("  model p = " + ", ".join(f"{k} {p:.3f}" for k, p in v.probabilities.items()))
    if not en:
        L.append("")
        L.append("本工具仅供参考，不能代替放贷机构的官方渠道。")
    else:
        L.append("")
        L.append("This tool gives advice only; it does not replace the lender's official channel.")
    return "\n".join(L)


def _err(msg: str) -> None:
    print(f"verifier: {msg}", file=sys.stderr)


def _check_text(args) -> int:
    from . import check
    from .model import ModelError

    text = args.text
    if text is None or text == "-":
        if sys.stdin.isatty():
            print("粘贴短信内容，然后按 Ctrl-D（Windows 上按 Ctrl-Z 回车）：" if args.lang == "zh"
                  else "Paste the message, then press Ctrl-D:", file=sys.stderr)
        data = sys.stdin.buffer.read(MAX_STDIN + 1)
        if len(data) > MAX_STDIN:
            _err("the message is longer than 10 MB: paste one SMS, or use -f FILE for a whole inbox")
            return EXIT_BAD_INPUT
        from .inbox import decode_bytes

        try:
            text = decode_bytes(data)
        except ValueError as e:
            _err(str(e))
            return EXIT_BAD_INPUT
    try:
        v = check(text, sender=args.sender, received_at=args.time, lang=args.lang)
    except ValueError as e:
        _err(str(e))
        return EXIT_BAD_INPUT
    except ModelError as e:
        _err(str(e))
        return EXIT_MODEL
    if args.json:
        print(json.dumps(v.to_dict(), ensure_ascii=False))
    else:
        print(render(v, text, args.lang, color=_use_color(sys.stdout), explain=args.explain))
    return 0


MAX_STDIN = 10 << 20  # one pasted message; a whole inbox goes through -f


def _check_file(args) -> int:
    from .inbox import InboxError
    from .checker import check_file
    from .model import ModelError

    path = args.file
    problems = 0  # counted, not kept: a file of a million bad lines costs no memory

    def on_problem(msg: str) -> None:
        nonlocal problems
        problems += 1
        _err(msg)

    progress = None
    n = 0
    try:
        if sys.stderr.isatty() and not args.no_progress:
            from .progress import Progress

            size = os.path.getsize(path) if path != "-" and os.path.isfile(path) else None
            progress = Progress(sys.stderr, size)
        on_read = progress.update if progress is not None and progress.by_bytes else None
        on_keys = progress.first_pass if on_read is not None else None
        summary = None if args.json or not sys.stdout.isatty() else Summary(args.lang)
        out = sys.stdout
        for meta, _, v in check_file(path, lang=args.lang, on_problem=on_problem, on_read=on_read, jobs=args.jobs,
                                   on_first_pass=on_keys):
            n += 1
            if summary is not None:
                summary.add(meta, v)
            else:
                d = v.to_dict()
                d = {"line": meta.get("line"), **({"id": meta["id"]} if meta.get("id") is not None else {}), **d}
                out.write(json.dumps(d, ensure_ascii=False) + "\n")
            if progress is not None and not progress.by_bytes:
                progress.update(n)
        if progress is not None:
            progress.close()
            progress = None
        if summary is not None and n:
            out.write(summary.render(color=_use_color(out)) + "\n")
    except InboxError as e:
        _err(str(e))
        return EXIT_BAD_INPUT
    except ModelError as e:
        _err(str(e))
        return EXIT_MODEL
    if n == 0:
        _err(f"{path}: no messages to check" if not problems else f"{path}: no message could be read")
        return EXIT_BAD_INPUT
    return 0


class Summary:
    """What a person reading a whole inbox on a terminal wants: how many of each label, then the
    risky messages (line, label, the start of the text, the main reason), most severe first."""

    def __init__(self, lang: str, keep: int = 200):
        from collections import Counter

        self.lang, self.keep = lang, keep
        self.counts: Counter = Counter()
        self.risky: list[tuple] = []
        self.not_debt = 0

    def add(self, meta: dict, v) -> None:
        from .vocabulary import SEVERITY

        self.counts[v.label] += 1
        if v.label == "legitimate" and v.summary.startswith(("这条短信与借贷无关", "This is not a debt message")):
            self.not_debt += 1
        if v.label != "legitimate" and len(self.risky) < self.keep:
            why = next((e for e in v.evidence if e.label != "legitimate"), None)
            self.risky.append((-SEVERITY[v.label], -v.confidence, meta.get("line"), v, why))

    def render(self, color: bool = False) -> str:
        from .vocabulary import LABEL_NAMES

        en = self.lang == "en"
        names = LABEL_NAMES["en" if en else "zh"]
        order = ("scam", "abusive", "suspicious", "legitimate")
        total = sum(self.counts.values())
        head = (f"{total} messages: " if en else f"共 {total} 条：") + ", ".join(
            f"{names[L]} {self.counts[L]}" for L in order if self.counts[L])
        lines = [head]
        if self.not_debt:
            lines.append(f"({self.not_debt} of the legitimate ones are not about a debt)" if en
                         else f"（其中 {self.not_debt} 条与借贷无关）")
        if self.risky:
            lines.append("")
            lines.append("Messages to look at:" if en else "需要注意的短信：")
            for _, _, line, v, why in sorted(self.risky, key=lambda t: (t[0], t[1], t[2] or 0)):
                reason = (f"“{visible(why.quote)}” " if why and why.quote else "") + (why.explanation if why else "")
                lines.append(f"  #{line} " + _c(v.label_text, "1;" + _COLORS[v.label], color) + f" {v.confidence:.0%}  {reason[:80]}")
            if sum(self.counts[L] for L in order[:3]) > len(self.risky):
                lines.append("  …" + (" (use --json for every verdict)" if en else "（用 --json 查看全部判断）"))
        return "\n".join(lines)


def _serve(args) -> int:
    try:
        from .serve import run
    except ImportError as e:
        _err(f"the web page needs a package that is missing ({e.name}): reinstall verifier (pip install .)")
        return EXIT_BAD_INPUT
    return run(host=args.host, port=args.port, open_browser=args.open)


EPILOG = """examples:
  verifier check                       paste the SMS, then Ctrl-D (keeps it out of the shell history)
  verifier check < sms.txt --sender 95555 --time 2026-11-20T23:40
  verifier check "【某某银行】您的账单…" --lang en --explain
  verifier check -f backup.xml         a whole inbox: a summary on a terminal, JSON lines when piped
  verifier check -f inbox.csv --json > verdicts.jsonl
  verifier check -f big.jsonl --jobs 4 four processes (default: all cores; --jobs 1: one)
  verifier serve                       the local web page at http://127.0.0.1:8765

exit status:
  0  done
  2  bad input: empty text, unreadable encoding or time, unreadable file, a file with no messages
  3  the model cannot be used (the message says how to retrain)
  130 interrupted (Ctrl-C)
"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("cuishou-verifier")
    except PackageNotFoundError:  # a checkout that was not installed
        return "unknown"


def _jobs_arg(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number of processes (1 or more), not {value!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="verifier", description="Check a debt-collection SMS (催收短信): legitimate, suspicious, abusive or scam — offline.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"verifier {_version()}")
    sub = p.add_subparsers(dest="command")
    c = sub.add_parser("check", help="check one message (argument or stdin) or a file of messages",
                       description="Check one message, or every message of a file (-f).", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("text", nargs="?", help="the message text; omit (or '-') to read it from stdin")
    c.add_argument("-f", "--file", help="a file of messages: .jsonl (text/sender/received_at), .txt (one a line), .csv (text,sender columns) or an SMS Backup & Restore .xml")
    c.add_argument("--sender", help="the number the message came from (95588, 1069…, +852…)")
    c.add_argument("--time", help="when it arrived, in China time unless it carries an offset: 2026-11-20T23:40, 2026-11-20T15:40Z")
    c.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the explanation (default zh)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument("--explain", "--verbose", action="store_true", help="show the full decision trace")
    c.add_argument("--no-progress", action="store_true", help="no progress bar for -f")
    c.add_argument("--jobs", "-j", type=_jobs_arg, default=os.cpu_count() or 1, metavar="N",
                   help="processes that check the messages of -f (default: all cores, here %(default)s; 1: this process only)")
    s = sub.add_parser("serve", help="a local web page (127.0.0.1) to paste a message or upload an inbox",
                       description="Serve the local page and its JSON API. Only this computer can use it.",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (keep a loopback address)")
    s.add_argument("--port", type=int, default=8765, help="port to listen on")
    s.add_argument("--open", action="store_true", help="open the page in the browser")
    return p


def main(argv=None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except BrokenPipeError:  # `verifier check … | head`: the reader left; say nothing more
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0


def _main(argv=None) -> int:
    p = build_parser()
    args = p.parse_args(argv)
    if args.command == "check" and args.time:
        from .timeline import parse_time

        if parse_time(args.time) is None:
            _err(f"cannot read the time {args.time!r}: use e.g. 2026-11-20T23:40 (China time) or 2026-11-20T15:40Z")
            return EXIT_BAD_INPUT
    if args.command == "check":
        if args.file:
            if args.text:
                _err("give either a message or -f FILE, not both")
                return EXIT_BAD_INPUT
            return _check_file(args)
        return _check_text(args)
    if args.command == "serve":
        return _serve(args)
    p.print_help()
    return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
