package archtest_test

import (
	"go/ast"
	"go/token"
	"go/types"
)

const suitePkg = "github.com/stretchr/testify/suite"

// boundValues maps each name a declaration binds (name := v, name = v,
// var name = v, in it and its closures) to the one expression it is bound
// to. A name bound to different expressions, to a function literal (a
// closure: namedClosures) or to one of several results maps to nil: unknown.
func boundValues(d *ast.FuncDecl) map[string]ast.Expr {
	values := map[string]ast.Expr{}
	bind := func(name ast.Expr, v ast.Expr) {
		id, ok := name.(*ast.Ident)
		if !ok || id.Name == "_" {
			return
		}
		if _, lit := v.(*ast.FuncLit); lit {
			v = nil
		}
		if old, seen := values[id.Name]; seen && (old == nil || v == nil || types.ExprString(old) != types.ExprString(v)) {
			v = nil
		}
		values[id.Name] = v
	}
	ast.Inspect(d.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if s.Tok != token.DEFINE && s.Tok != token.ASSIGN {
				return true
			}
			for i, l := range s.Lhs {
				bind(l, valueAt(s.Rhs, i, len(s.Lhs)))
			}
		case *ast.ValueSpec:
			for i, id := range s.Names {
				bind(id, valueAt(s.Values, i, len(s.Names)))
			}
		}
		return true
	})
	return values
}

// valueAt is the i-th of n values bound at once, or nil when they are the
// results of one call.
func valueAt(values []ast.Expr, i, n int) ast.Expr {
	if len(values) != n {
		return nil
	}
	return values[i]
}

// resolveFun returns what a called expression stands for: for a name the
// enclosing declaration binds to one expression (a method value such as
// t.Fatal, a function such as require.NoError or require.Eventually,
// testify's Assertions), that expression, followed through further names;
// else the expression itself, unwrapped.
func resolveFun(e ast.Expr, scope *fn) ast.Expr {
	e = unwrapFun(e)
	for range 8 { // a chain of names this long is a cycle
		id, ok := e.(*ast.Ident)
		if !ok || paramIndex(scope, id) >= 0 || scope.values[id.Name] == nil {
			return e
		}
		e = unwrapFun(scope.values[id.Name])
	}
	return e
}

// assertions describes a value of testify's: its Assertions
// (require.New(t), assert.New(t), a suite's s.Require() and s.Assert())
// or a suite, whose methods are assert's.
type assertions struct {
	ok    bool     // the value is one of these
	stops bool     // its assertions stop the test: require's
	via   ast.Expr // the test value they stop through; nil: a suite's own
}

// assertionsOf says whether x, directly or through the name it is bound
// to, is testify's Assertions or a suite of the module.
func (m *module) assertionsOf(x ast.Expr, scope *fn) assertions {
	x = resolveFun(x, scope)
	if id, ok := x.(*ast.Ident); ok {
		return assertions{ok: m.suites[scope.vars[id.Name]]}
	}
	call, ok := x.(*ast.CallExpr)
	if !ok {
		return assertions{}
	}
	sel, ok := unwrapFun(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return assertions{}
	}
	p, isImport := importOf(sel.X, scope)
	switch {
	case isImport && sel.Sel.Name == "New" && len(call.Args) == 1 && (p == requirePkg || p == assertPkg):
		return assertions{ok: true, stops: p == requirePkg, via: call.Args[0]}
	case !isImport && len(call.Args) == 0 && (sel.Sel.Name == "Require" || sel.Sel.Name == "Assert") &&
		len(m.callees(call, scope)) == 0:
		return assertions{ok: true, stops: sel.Sel.Name == "Require"}
	}
	return assertions{}
}

// addSuites records the struct types of a file that embed testify's
// suite.Suite.
func (m *module) addSuites(file *goFile, f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		if st, ok := spec.Type.(*ast.StructType); ok {
			for _, field := range st.Fields.List {
				if len(field.Names) == 0 && isSuite(file, field.Type) {
					m.suites[funcKey(file.dir, spec.Name.Name)] = true
				}
			}
		}
		return false
	})
}

// isSuite reports whether a type expression of file denotes testify's
// suite.Suite or a pointer to it.
func isSuite(file *goFile, e ast.Expr) bool {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && sel.Sel.Name == "Suite" && file.imports[pkg.Name] == suitePkg
}
