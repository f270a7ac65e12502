package archtest_test

import (
	"go/ast"
	"go/types"
)

// reporter records a call that may stop the test from a condition.
type reporter func(at ast.Node, what string, c condition)

// checkCondition reports what in condition c, polled from scope, may stop
// the test: the calls of a literal or of a closure the declaration names,
// or a whole function or method named as the condition.
func (m *module) checkCondition(c condition, scope *fn, sums map[*fn]stop, report reporter) {
	switch e := c.expr.(type) {
	case *ast.FuncLit:
		m.checkBody(scope.closure(e), c, sums, report)
	case *ast.Ident:
		if local, ok := scope.locals[e.Name]; ok {
			m.checkBody(local, c, sums, report)
			return
		}
		m.checkNamed(e, c, scope, sums, report)
	case *ast.SelectorExpr:
		m.checkNamed(e, c, scope, sums, report)
	case *ast.CallExpr:
		for _, g := range m.callees(e, scope) {
			for _, lit := range returnedLiterals(g.body) {
				m.checkBody(g.closure(lit), c, sums, report)
			}
		}
	}
}

// checkBody reports each call in f, run as condition c, that may stop the
// test through anything but the *assert.CollectT it receives.
func (m *module) checkBody(f *fn, c condition, sums map[*fn]stop, report reporter) {
	collect := ""
	if c.collect && len(f.params) > 0 {
		collect = f.params[0]
	}
	m.eachCall(f.body, f, func(call *ast.CallExpr) {
		always, through := m.stopsOf(call, f, sums)
		bad := always
		for _, e := range through {
			if id, ok := e.(*ast.Ident); !ok || id.Name != collect {
				bad = true
			}
		}
		if bad {
			report(call, types.ExprString(call.Fun), c)
		}
	})
}

// checkNamed reports a function or method named as condition c that may
// stop the test through anything but the *assert.CollectT it receives.
func (m *module) checkNamed(e ast.Expr, c condition, scope *fn, sums map[*fn]stop, report reporter) {
	for _, g := range m.callees(&ast.CallExpr{Fun: e}, scope) {
		s := sums[g]
		bad := s.always
		for i := range s.via {
			bad = bad || !c.collect || i != 0
		}
		if bad {
			report(e, types.ExprString(e), c)
			return
		}
	}
}

// returnedLiterals lists the function literals a body returns.
func returnedLiterals(body *ast.BlockStmt) []*ast.FuncLit {
	var lits []*ast.FuncLit
	ast.Inspect(body, func(n ast.Node) bool {
		if r, ok := n.(*ast.ReturnStmt); ok {
			for _, v := range r.Results {
				if lit, ok := v.(*ast.FuncLit); ok {
					lits = append(lits, lit)
				}
			}
		}
		return true
	})
	return lits
}
