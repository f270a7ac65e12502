package archtest_test

import (
	"go/ast"
	"maps"
)

const (
	requirePkg = "github.com/stretchr/testify/require"
	assertPkg  = "github.com/stretchr/testify/assert"
)

// isStopMethod reports whether a method of that name ends the calling
// goroutine when called on a testing.TB (or, harmlessly, on an
// *assert.CollectT).
func isStopMethod(name string) bool {
	switch name {
	case "Fatal", "Fatalf", "FailNow", "SkipNow", "Skip", "Skipf":
		return true
	}
	return false
}

// stop says how a function may stop the test: always (through a test value
// it did not receive as a parameter), or through the parameters in via,
// which a caller may fill with an *assert.CollectT.
type stop struct {
	always bool
	via    map[int]bool
}

// add records a call of f's that may stop the test: always, or through
// each of the test values in through, which stop the test always unless
// they are parameters of f.
func (s stop) add(f *fn, always bool, through []ast.Expr) stop {
	s.always = s.always || always
	for _, e := range through {
		if i := paramIndex(f, e); i >= 0 {
			s.via[i] = true
		} else {
			s.always = true
		}
	}
	return s
}

// stopsOf says how one call may stop the test: always, or through each of
// the test values in through (require's first argument, the receiver of
// t.Fatal, the argument a helper's parameter stops through).
func (m *module) stopsOf(call *ast.CallExpr, scope *fn, sums map[*fn]stop) (always bool, through []ast.Expr) {
	if always, through, ok := m.directStop(call, scope); ok {
		return always, through
	}
	return calleeStops(call, m.callees(call, scope), sums)
}

// directStop says how a call of testify's require (or assert.FailNow),
// runtime.Goexit, a stopping method of a testing.TB, or a method of
// require's Assertions stops the test, called directly or through a name
// bound to it; ok is false for any other call.
func (m *module) directStop(call *ast.CallExpr, scope *fn) (always bool, through []ast.Expr, ok bool) {
	sel, isSel := resolveFun(call.Fun, scope).(*ast.SelectorExpr)
	if !isSel {
		return false, nil, false
	}
	p, isImport := importOf(sel.X, scope)
	switch {
	case isImport && (p == requirePkg && sel.Sel.Name != "New" || p == assertPkg && isAssertStop(sel.Sel.Name)):
		if len(call.Args) == 0 {
			return true, nil, true
		}
		return false, call.Args[:1], true
	case isImport && p == "runtime" && sel.Sel.Name == "Goexit":
		return true, nil, true
	case isImport:
		return false, nil, false
	case isStopMethod(sel.Sel.Name):
		return false, []ast.Expr{sel.X}, true
	}
	if a := m.assertionsOf(sel.X, scope); a.stops {
		if a.via == nil {
			return true, nil, true
		}
		return false, []ast.Expr{a.via}, true
	}
	return false, nil, false
}

// isAssertStop reports whether assert's function of that name stops the
// test: assert.FailNow calls the test's FailNow.
func isAssertStop(name string) bool { return name == "FailNow" || name == "FailNowf" }

// calleeStops says how a call of the given module functions may stop the
// test, given their summaries: always, or through the arguments at the
// parameters they stop through.
func calleeStops(call *ast.CallExpr, callees []*fn, sums map[*fn]stop) (always bool, through []ast.Expr) {
	for _, g := range callees {
		s := sums[g]
		always = always || s.always
		for i := range s.via {
			if i < len(call.Args) {
				through = append(through, call.Args[i])
			}
		}
	}
	return always, through
}

// site is a call of module functions, resolved once before summarize
// iterates.
type site struct {
	call    *ast.CallExpr
	callees []*fn
}

// summarize computes, to a fixed point, how each function of the module may
// stop the test. A function's own calls are read once: its direct stops,
// and the module functions it calls, whose summaries the iterations update.
// The conditions it passes to Eventually run elsewhere and are checked on
// their own, and its cleanups run after it returns.
func (m *module) summarize() map[*fn]stop {
	direct, sites := map[*fn]stop{}, map[*fn][]site{}
	for _, f := range m.all {
		d := stop{via: map[int]bool{}}
		m.eachCall(f.body, f, func(call *ast.CallExpr) {
			if always, through, ok := m.directStop(call, f); ok {
				d = d.add(f, always, through)
			} else if callees := m.callees(call, f); len(callees) > 0 {
				sites[f] = append(sites[f], site{call: call, callees: callees})
			}
		})
		direct[f] = d
	}
	sums := map[*fn]stop{}
	for changed := true; changed; {
		changed = false
		for _, f := range m.all {
			s := stop{always: direct[f].always, via: maps.Clone(direct[f].via)}
			for _, c := range sites[f] {
				always, through := calleeStops(c.call, c.callees, sums)
				s = s.add(f, always, through)
			}
			if old := sums[f]; old.always != s.always || !maps.Equal(old.via, s.via) {
				sums[f] = s
				changed = true
			}
		}
	}
	return sums
}

// eachCall visits the calls in body, skipping the function literals passed
// as conditions to Eventually (or its wrappers) and to Cleanup.
func (m *module) eachCall(body ast.Node, scope *fn, visit func(*ast.CallExpr)) {
	ast.Inspect(body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		visit(call)
		if sel, ok := unwrapFun(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Cleanup" {
			return false
		}
		skip := map[ast.Expr]bool{}
		for _, c := range m.conditionArgs(call, scope) {
			skip[c.expr] = true
		}
		m.eachCall(call.Fun, scope, visit)
		for _, a := range call.Args {
			if !skip[a] {
				m.eachCall(a, scope, visit)
			}
		}
		return false
	})
}
