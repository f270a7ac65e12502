package archtest_test

import (
	"go/ast"
	"go/token"
)

// A variable's type, as far as the declaration that binds it tells: a
// module type's funcKey(dir, name), unknownType, or outsideType for a
// pointer to a type of another module, which no module method has.
const (
	unknownType = ""
	outsideType = "-"
)

// typeOf names the type a type expression of file denotes. A non-pointer
// type of another module may be an interface a module type implements, so
// it is unknown.
func typeOf(file *goFile, e ast.Expr) string {
	ptr := false
	if star, ok := e.(*ast.StarExpr); ok {
		e, ptr = star.X, true
	}
	switch t := unwrapFun(e).(type) {
	case *ast.Ident:
		return funcKey(file.dir, t.Name)
	case *ast.SelectorExpr:
		pkg, _ := t.X.(*ast.Ident)
		if pkg == nil {
			return unknownType
		}
		if dir, internal := moduleDir(file.imports[pkg.Name]); internal {
			return funcKey(dir, t.Sel.Name)
		}
		if ptr {
			return outsideType
		}
	}
	return unknownType
}

// varTypes maps each name a function declaration binds (receiver,
// parameters, := and var, in it and its closures) to its type: declared, or
// that of the composite literal it is bound to. A name bound twice to
// different types, or to anything else, is unknown.
func varTypes(file *goFile, d *ast.FuncDecl) map[string]string {
	v := typeBinder{file: file, vars: map[string]string{}}
	v.fields(d.Recv)
	ast.Inspect(d, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.FuncType:
			v.fields(s.Params)
			v.fields(s.Results)
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				if s.Tok == token.DEFINE {
					v.bind(l, literalType(file, s.Rhs, i, len(s.Lhs)))
				}
			}
		case *ast.ValueSpec:
			for i, n := range s.Names {
				if s.Type != nil {
					v.bind(n, typeOf(file, s.Type))
				} else {
					v.bind(n, literalType(file, s.Values, i, len(s.Names)))
				}
			}
		case *ast.RangeStmt:
			if s.Tok == token.DEFINE {
				v.bind(s.Key, unknownType)
				v.bind(s.Value, unknownType)
			}
		}
		return true
	})
	return v.vars
}

// typeBinder collects the types varTypes finds.
type typeBinder struct {
	file *goFile
	vars map[string]string
}

// bind records that id names a value of type typ; a second, different type
// makes it unknown.
func (v typeBinder) bind(id ast.Expr, typ string) {
	name, ok := id.(*ast.Ident)
	if !ok || name.Name == "_" {
		return
	}
	if old, seen := v.vars[name.Name]; seen && old != typ {
		typ = unknownType
	}
	v.vars[name.Name] = typ
}

// fields binds the names of a parameter, result or receiver list.
func (v typeBinder) fields(l *ast.FieldList) {
	if l == nil {
		return
	}
	for _, f := range l.List {
		for _, n := range f.Names {
			v.bind(n, typeOf(v.file, f.Type))
		}
	}
}

// literalType is the type of the i-th of n values, when it is a composite
// literal T{...} or &T{...}.
func literalType(file *goFile, values []ast.Expr, i, n int) string {
	if len(values) != n {
		return unknownType
	}
	v := values[i]
	if u, ok := v.(*ast.UnaryExpr); ok && u.Op == token.AND {
		v = u.X
	}
	if lit, ok := v.(*ast.CompositeLit); ok && lit.Type != nil {
		return typeOf(file, lit.Type)
	}
	return unknownType
}

// receiverType is the funcKey(dir, name) of a method declaration's receiver type.
func receiverType(file *goFile, d *ast.FuncDecl) string {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return unknownType
	}
	return typeOf(file, d.Recv.List[0].Type)
}

// ofReceiver narrows the methods a call on x may run to those of x's type,
// when its declaration tells it. A type with no method of that name (an
// interface, or a struct that embeds the one declaring it) keeps them all.
func ofReceiver(methods []*fn, x ast.Expr, scope *fn) []*fn {
	id, ok := x.(*ast.Ident)
	if !ok {
		return methods
	}
	switch typ := scope.vars[id.Name]; typ {
	case unknownType:
		return methods
	case outsideType:
		return nil
	default:
		var own []*fn
		for _, g := range methods {
			if g.recv == typ {
				own = append(own, g)
			}
		}
		if len(own) == 0 {
			return methods
		}
		return own
	}
}
