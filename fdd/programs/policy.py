"""The allow-list that decides which Program-of-Thought programs may run, and the rewrite that guards them.

A program is parsed with `ast` and every node is checked against a fixed allow-list: arithmetic,
assignments, comparisons, if/for/while, comprehensions, plain function definitions, calls, `math` and
`fractions` imports. Identifiers that start with a double underscore, dangerous built-in names
(`eval`, `exec`, `open`, `getattr`, …) and any attribute outside a short list of harmless ones
(`math.sqrt`, `list.append`, `Fraction.numerator`, … — never `format`, never frame or code attributes)
are refused. Python normalises identifiers with NFKC before we see them, so look-alikes such as
`ｅval` arrive here as `eval`. `harden` then rewrites `a ** b` and `a << b` into calls to guards that
refuse results wider than `MAX_RESULT_BITS` before the interpreter starts computing them.

This module is stdlib-only on purpose: the parent imports it to reject programs cheaply, and the
sandbox worker (`fdd.programs.worker`) imports it again by file to re-check every program it runs.
"""

from __future__ import annotations

import ast

MAX_PROGRAM_CHARS = 20_000  # input cap: longer "programs" are rejected before parsing
MAX_SCOPES = 100  # functions, lambdas and comprehensions per program (compiling deep nests is slow)
MAX_RESULT_BITS = 10_000  # widest integer a single ** or << may produce (about 3,000 digits)
POW_GUARD = "_fdd_pow"
LSHIFT_GUARD = "_fdd_lshift"
ALLOWED_MODULES = frozenset({"math", "fractions"})

MATH_NAMES = frozenset(
    "ceil floor trunc sqrt isqrt cbrt exp exp2 expm1 log log2 log10 log1p pow fabs fmod remainder gcd lcm "
    "factorial comb perm prod fsum hypot dist sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh "
    "atanh degrees radians pi e tau inf nan isclose isfinite isinf isnan copysign modf frexp ldexp".split()
)
FRACTIONS_NAMES = frozenset({"Fraction"})

SAFE_BUILTINS = frozenset(
    "abs all any bool dict divmod enumerate filter float int isinstance len list map max min pow print "
    "range reversed round set sorted str sum tuple zip Fraction".split()
)
# Names refused outright (not merely undefined), so the error names the construct.
DENIED_NAMES = frozenset(
    "eval exec compile open getattr setattr delattr hasattr globals locals vars dir type object super "
    "input breakpoint help exit quit memoryview bytearray bytes classmethod staticmethod property "
    "__import__ __builtins__ id hash iter next callable issubclass chr ord ascii repr format".split()
)
ALLOWED_ATTRIBUTES = (
    MATH_NAMES
    | FRACTIONS_NAMES
    | frozenset(
        # numbers
        "real imag numerator denominator is_integer as_integer_ratio bit_length conjugate "
        "limit_denominator from_float "
        # list / dict / set
        "append extend insert pop remove index count sort reverse copy clear keys values items get "
        "update setdefault popitem add discard union intersection difference symmetric_difference "
        "issubset issuperset "
        # str (no format/format_map: they reach attributes through the format mini-language)
        "split strip lstrip rstrip join replace lower upper startswith endswith isdigit find".split()
    )
)

_STATEMENTS = (
    ast.Module,
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.For,
    ast.While,
    ast.If,
    ast.Break,
    ast.Continue,
    ast.Pass,
    ast.FunctionDef,
    ast.Return,
    ast.Delete,
    ast.Global,
    ast.Nonlocal,
    ast.Import,
    ast.ImportFrom,
    ast.alias,
    ast.arguments,
    ast.arg,
    ast.keyword,
)
_EXPRESSIONS = (
    ast.Name,
    ast.Constant,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.IfExp,
    ast.Call,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.List,
    ast.Tuple,
    ast.Dict,
    ast.Set,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
    ast.comprehension,
    ast.Starred,
    ast.Lambda,
    ast.NamedExpr,
    ast.JoinedStr,
    ast.FormattedValue,
)
_OPERATORS = (
    ast.Load,
    ast.Store,
    ast.Del,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
)
ALLOWED_NODES = frozenset(
    [*_STATEMENTS, *_EXPRESSIONS] + [sub for base in _OPERATORS for sub in (base, *base.__subclasses__())]
)


class PolicyError(Exception):
    """The program uses a construct outside the allow-list; the message names it and its line."""


def _where(node: ast.AST) -> str:
    line = getattr(node, "lineno", None)
    return f" (line {line})" if line else ""


def _check_identifier(name: str | None, node: ast.AST, what: str) -> None:
    if name is None:
        return
    if name.startswith("__"):
        raise PolicyError(f"dunder {what} {name!r}{_where(node)}")
    if name in DENIED_NAMES:
        raise PolicyError(f"{what} {name!r} is not allowed{_where(node)}")


def _check_import(node: ast.Import | ast.ImportFrom) -> None:
    if isinstance(node, ast.ImportFrom):
        module = node.module or ""
        if node.level or module not in ALLOWED_MODULES:
            raise PolicyError(f"import of {module or '.'!r}{_where(node)}; only math and fractions")
        allowed = MATH_NAMES if module == "math" else FRACTIONS_NAMES
        for alias in node.names:
            if alias.name not in allowed:
                raise PolicyError(f"from {module} import {alias.name!r}{_where(node)}")
            _check_identifier(alias.asname, node, "name")
        return
    for alias in node.names:
        if alias.name not in ALLOWED_MODULES:
            raise PolicyError(f"import of {alias.name!r}{_where(node)}; only math and fractions")
        _check_identifier(alias.asname, node, "name")


def _check_node(node: ast.AST) -> None:
    """Per-type checks beyond membership in ALLOWED_NODES."""
    if isinstance(node, ast.Attribute):
        if node.attr not in ALLOWED_ATTRIBUTES:
            raise PolicyError(f"attribute {node.attr!r}{_where(node)}")
        if not isinstance(node.ctx, ast.Load):
            raise PolicyError(f"assignment to attribute {node.attr!r}{_where(node)}")
    elif isinstance(node, ast.Import | ast.ImportFrom):
        _check_import(node)
    elif isinstance(node, ast.FunctionDef):
        if node.decorator_list:
            raise PolicyError(f"decorator on function {node.name!r}{_where(node)}")
        _check_identifier(node.name, node, "function name")
    elif isinstance(node, ast.arg):
        _check_identifier(node.arg, node, "argument")
    elif isinstance(node, ast.keyword):
        _check_identifier(node.arg, node, "keyword")
    elif isinstance(node, ast.Global | ast.Nonlocal):
        for name in node.names:
            _check_identifier(name, node, "name")
    elif isinstance(node, ast.FormattedValue) and node.conversion != -1:
        raise PolicyError(f"f-string conversion !{chr(node.conversion)}{_where(node)}")
    elif isinstance(node, ast.comprehension) and node.is_async:
        raise PolicyError(f"async comprehension{_where(node)}")


# Fields that hold identifiers, flags or operators rather than child nodes; never walked.
_NOT_CHILDREN = frozenset(
    "ctx op ops id attr name names arg asname module level kind conversion is_async type_comment simple "
    "type_ignores".split()
)
_LEAVES = (ast.Constant, ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)
# type -> the fields holding child nodes; None stands for optional children that are absent.
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {
    node_type: () if node_type in _LEAVES else tuple(f for f in node_type._fields if f not in _NOT_CHILDREN)
    for node_type in ALLOWED_NODES
}
_CHILD_FIELDS[type(None)] = ()
_CHECKED = frozenset(
    {
        ast.Attribute,
        ast.Import,
        ast.ImportFrom,
        ast.FunctionDef,
        ast.arg,
        ast.keyword,
        ast.Global,
        ast.Nonlocal,
        ast.FormattedValue,
        ast.comprehension,
    }
)

_SCOPES = frozenset({ast.FunctionDef, ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp})


def validate(tree: ast.AST) -> None:
    """Raise PolicyError on the first construct outside the allow-list.

    Iterative (no recursion limit) and written for speed: the worker runs it on every program.
    """
    stack: list = [tree]
    pop, push, extend = stack.pop, stack.append, stack.extend
    child_fields, checked, denied, name_type = _CHILD_FIELDS, _CHECKED, DENIED_NAMES, ast.Name
    scopes = 0
    while stack:
        node = pop()
        node_type = type(node)
        if node_type is name_type:  # the most common node: checked inline
            if node.id in denied or node.id[:2] == "__":
                _check_identifier(node.id, node, "name")
            continue
        fields = child_fields.get(node_type)
        if fields is None:
            raise PolicyError(f"{node_type.__name__}{_where(node)}")
        if node_type in checked:
            _check_node(node)
        if node_type in _SCOPES:
            scopes += 1
            if scopes > MAX_SCOPES:
                raise SyntaxError(f"program has more than {MAX_SCOPES} functions, lambdas and comprehensions")
        for field in fields:
            value = getattr(node, field)
            if type(value) is list:
                extend(value[::-1])  # so that errors are reported in source order
            elif value is not None:
                push(value)


def parse(source: str) -> ast.Module:
    """Parse program text; every way the parser can refuse (null bytes, stack overflow) is a SyntaxError."""
    try:
        return ast.parse(source, "<program>", "exec")
    except SyntaxError:
        raise
    except (ValueError, RecursionError, MemoryError) as exc:
        raise SyntaxError(f"{type(exc).__name__}: {exc}") from None


def check(source: str) -> ast.Module:
    """Parse and validate; raises SyntaxError, PolicyError or ValueError (over MAX_PROGRAM_CHARS)."""
    if len(source) > MAX_PROGRAM_CHARS:
        raise ValueError(f"program is {len(source):,} characters; the limit is {MAX_PROGRAM_CHARS:,}")
    tree = parse(source)
    validate(tree)
    return tree


class _Harden(ast.NodeTransformer):
    """Route ** and << through the size guards (`x **= y` only on plain names)."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        guard = POW_GUARD if isinstance(node.op, ast.Pow) else LSHIFT_GUARD
        if not isinstance(node.op, ast.Pow | ast.LShift):
            return node
        call = ast.Call(ast.Name(guard, ast.Load()), [node.left, node.right], [])
        return ast.copy_location(call, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.op, ast.Pow | ast.LShift):
            return node
        if not isinstance(node.target, ast.Name):
            raise PolicyError(f"augmented ** or << on a non-name target{_where(node)}")
        value = ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value)
        call = self.visit_BinOp(ast.copy_location(value, node))
        assert isinstance(call, ast.expr)
        assign = ast.Assign([node.target], call)
        return ast.copy_location(assign, node)


def harden(tree: ast.Module) -> ast.Module:
    """Rewrite the tree in place so that huge powers and shifts fail fast, and fix locations."""
    return ast.fix_missing_locations(_Harden().visit(tree))


def guarded_pow(base: object, exp: object, mod: object = None) -> object:
    """`base ** exp` (or pow with modulus) that refuses integer/rational results over MAX_RESULT_BITS."""
    if mod is not None:
        return pow(base, exp, mod)  # type: ignore[call-overload]
    if (
        isinstance(exp, int)
        and not isinstance(base, float | complex)
        and not (isinstance(base, int) and exp < 0)
    ):
        # (an int to a negative power is a float: it cannot blow up; a Fraction's can, either way)
        bits = _magnitude_bits(base)
        if bits > 1 and (bits - 1) * abs(exp) > MAX_RESULT_BITS:
            raise OverflowError(f"power too large: about {(bits - 1) * abs(exp):,} bits")
    return base**exp  # type: ignore[operator]


def guarded_lshift(value: object, shift: object) -> object:
    """`value << shift` that refuses results over MAX_RESULT_BITS."""
    if isinstance(shift, int) and isinstance(value, int) and value and shift > MAX_RESULT_BITS:
        raise OverflowError(f"shift too large: {shift:,} bits")
    return value << shift  # type: ignore[operator]


def _magnitude_bits(number: object) -> int:
    """Bit length of |number| for ints and rationals (numerator or denominator, the larger); 0 otherwise."""
    if isinstance(number, int):
        return abs(number).bit_length()
    numerator = getattr(number, "numerator", None)
    denominator = getattr(number, "denominator", None)
    if isinstance(numerator, int) and isinstance(denominator, int):
        return max(abs(numerator).bit_length(), denominator.bit_length())
    return 0
