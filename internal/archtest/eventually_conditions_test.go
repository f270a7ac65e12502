package archtest_test

import (
	"cmp"
	"fmt"
	"go/ast"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
)

// pollsCondition reports whether testify's function of that name takes a condition
// as its second argument and polls it on another goroutine, and whether it
// passes the condition an *assert.CollectT.
func pollsCondition(name string) (polls, collect bool) {
	switch name {
	case "Eventually", "Eventuallyf", "Never", "Neverf":
		return true, false
	case "EventuallyWithT", "EventuallyWithTf":
		return true, true
	}
	return false, false
}

// condition is an argument polled on another goroutine: by testify's
// Eventually family, or by a module function that passes it on to one.
type condition struct {
	expr    ast.Expr
	collect bool   // the condition receives an *assert.CollectT
	poller  string // the called function, for the report
}

// conditionArgs lists the conditions a call passes to be polled.
func (m *module) conditionArgs(call *ast.CallExpr, scope *fn) []condition {
	poller := types.ExprString(call.Fun)
	if sel, ok := resolveFun(call.Fun, scope).(*ast.SelectorExpr); ok {
		if at, collect, polls := m.testifyPoll(sel, scope); polls {
			if len(call.Args) <= at {
				return nil
			}
			return []condition{{expr: call.Args[at], collect: collect, poller: poller}}
		}
	}
	var conds []condition
	for _, g := range m.callees(call, scope) {
		for i, collect := range m.wrappers[g] {
			if i < len(call.Args) {
				conds = append(conds, condition{expr: call.Args[i], collect: collect, poller: poller})
			}
		}
	}
	return conds
}

// testifyPoll says whether fun, called directly or through a name bound
// to it, is testify's Eventually family: a function of require or assert,
// which takes the condition after the test, or a method of testify's
// Assertions or of a suite, which takes it first.
func (m *module) testifyPoll(fun *ast.SelectorExpr, scope *fn) (at int, collect, polls bool) {
	polls, collect = pollsCondition(fun.Sel.Name)
	if !polls {
		return 0, false, false
	}
	if p, isImport := importOf(fun.X, scope); isImport {
		return 1, collect, p == requirePkg || p == assertPkg
	}
	return 0, collect, m.assertionsOf(fun.X, scope).ok
}

// findWrappers finds, to a fixed point, the functions that poll a
// parameter: they pass it on as a condition, or call it from one.
func (m *module) findWrappers() {
	m.wrappers = map[*fn]map[int]bool{}
	for changed := true; changed; {
		changed = false
		for _, f := range m.all {
			ast.Inspect(f.body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					for _, c := range m.conditionArgs(call, f) {
						changed = m.markPolled(f, c) || changed
					}
				}
				return true
			})
		}
	}
}

// markPolled records the parameters of f that condition c polls, and
// reports whether it recorded a new one.
func (m *module) markPolled(f *fn, c condition) bool {
	polled := map[int]bool{}
	if i := paramIndex(f, c.expr); i >= 0 {
		polled[i] = c.collect
	}
	if lit, ok := c.expr.(*ast.FuncLit); ok {
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				if i := paramIndex(f, call.Fun); i >= 0 {
					polled[i] = false
				}
			}
			return true
		})
	}
	added := false
	for i, collect := range polled {
		if _, known := m.wrappers[f][i]; !known {
			if m.wrappers[f] == nil {
				m.wrappers[f] = map[int]bool{}
			}
			m.wrappers[f][i] = collect
			added = true
		}
	}
	return added
}

// finding is a call in a polled condition that may stop the test.
type finding struct {
	file         string // relative to the module root
	line         int
	what, poller string
}

// String names the call and says what to write instead.
func (f finding) String() string {
	return fmt.Sprintf("%s:%d: %s in a condition of %s may stop the test from the polling goroutine: "+
		"return false on an error instead, or use require.EventuallyWithT and fail through its *assert.CollectT "+
		"(a helper takes it as a require.TestingT)", f.file, f.line, f.what, f.poller)
}

// eventuallyFindings lists, sorted, every call in a polled condition that
// may stop the test from the polling goroutine.
func (m *module) eventuallyFindings() []finding {
	m.findWrappers()
	sums := m.summarize()
	seen := map[finding]bool{}
	report := func(at ast.Node, what string, c condition) {
		pos := m.fset.Position(at.Pos())
		rel, _ := filepath.Rel(m.root, pos.Filename)
		seen[finding{file: filepath.ToSlash(rel), line: pos.Line, what: what, poller: c.poller}] = true
	}
	for _, f := range m.all {
		ast.Inspect(f.body, func(n ast.Node) bool {
			if call, ok := n.(*ast.CallExpr); ok {
				for _, c := range m.conditionArgs(call, f) {
					m.checkCondition(c, f, sums, report)
				}
			}
			return true
		})
	}
	return slices.SortedFunc(maps.Keys(seen), func(a, b finding) int {
		return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.line, b.line), cmp.Compare(a.what, b.what))
	})
}
