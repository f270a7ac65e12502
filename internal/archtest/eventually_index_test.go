package archtest_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sourceflow-go/sourceflow/internal/archtest"
)

// goFile is one parsed source file of the module, with the names its imports
// go by.
type goFile struct {
	dir     string            // directory relative to the module root, "." for the root
	imports map[string]string // local name -> import path
	test    bool              // a _test.go file, seen only by its own package's tests
}

// fn is a function, method or closure whose calls the Eventually scan follows.
type fn struct {
	file   *goFile
	params []string
	body   *ast.BlockStmt
	locals map[string]*fn      // closures assigned to names in the enclosing declaration
	vars   map[string]string   // the types of the names the enclosing declaration binds (varTypes)
	values map[string]ast.Expr // what the enclosing declaration binds names to (boundValues)
	recv   string              // a method's receiver type (receiverType)
}

// closure is a function literal of f's declaration, seen with its names.
func (f *fn) closure(lit *ast.FuncLit) *fn {
	return &fn{file: f.file, params: paramNames(lit.Type), body: lit.Body, locals: f.locals, vars: f.vars, values: f.values}
}

// module is every Go file under a root, build tags ignored, with its
// functions and methods by directory and name.
type module struct {
	fset  *token.FileSet
	root  string
	funcs map[string][]*fn // funcKey(dir, name); methods under funcKey(dir, "."+name)
	all   []*fn
	// wrappers maps each function that polls some of its parameters as
	// conditions to those parameters' indexes (true: it passes them an
	// *assert.CollectT).
	wrappers map[*fn]map[int]bool
	suites   map[string]bool // funcKey(dir, name) of the struct types that embed suite.Suite
}

func funcKey(dir, name string) string { return dir + "\x00" + name }

// loadModule parses every .go file under root (skipping hidden, underscore
// and testdata directories), whatever its build tags.
func loadModule(root string) (*module, error) {
	m := &module{fset: token.NewFileSet(), root: root, funcs: map[string][]*fn{}, suites: map[string]bool{}}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(m.fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		m.add(&goFile{dir: filepath.ToSlash(rel), imports: importNames(f), test: strings.HasSuffix(name, "_test.go")}, f)
		return nil
	})
	return m, err
}

// importNames maps each import's local name to its path; an unnamed import
// goes by its path's last element.
func importNames(f *ast.File) map[string]string {
	names := map[string]string{}
	for _, spec := range f.Imports {
		p, _ := strconv.Unquote(spec.Path.Value)
		name := path.Base(p)
		if spec.Name != nil {
			name = spec.Name.Name
		}
		names[name] = p
	}
	return names
}

// add indexes the declarations of one file and the closures they name.
func (m *module) add(file *goFile, f *ast.File) {
	m.addSuites(file, f)
	for _, decl := range f.Decls {
		d, ok := decl.(*ast.FuncDecl)
		if !ok || d.Body == nil {
			continue
		}
		locals, vars := map[string]*fn{}, varTypes(file, d)
		top := &fn{file: file, params: paramNames(d.Type), body: d.Body, locals: locals, vars: vars, values: boundValues(d),
			recv: receiverType(file, d)}
		key := funcKey(file.dir, d.Name.Name)
		if d.Recv != nil {
			key = funcKey(file.dir, "."+d.Name.Name)
		}
		m.funcs[key] = append(m.funcs[key], top)
		m.all = append(m.all, top)
		for name, lit := range namedClosures(d.Body) {
			c := top.closure(lit)
			locals[name] = c
			m.all = append(m.all, c)
		}
	}
}

// paramNames lists a function type's parameters in order; an unnamed one is "_".
func paramNames(ft *ast.FuncType) []string {
	var names []string
	for _, field := range ft.Params.List {
		if len(field.Names) == 0 {
			names = append(names, "_")
		}
		for _, n := range field.Names {
			names = append(names, n.Name)
		}
	}
	return names
}

// namedClosures finds the function literals a body assigns to a name
// (name := func..., var name = func..., name = func...).
func namedClosures(body *ast.BlockStmt) map[string]*ast.FuncLit {
	found := map[string]*ast.FuncLit{}
	bind := func(names []ast.Expr, values []ast.Expr) {
		for i, v := range values {
			lit, ok := v.(*ast.FuncLit)
			if id, named := ident(names, i); ok && named {
				found[id] = lit
			}
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			bind(s.Lhs, s.Rhs)
		case *ast.ValueSpec:
			names := make([]ast.Expr, len(s.Names))
			for i, id := range s.Names {
				names[i] = id
			}
			bind(names, s.Values)
		}
		return true
	})
	return found
}

func ident(exprs []ast.Expr, i int) (string, bool) {
	if i >= len(exprs) {
		return "", false
	}
	id, ok := exprs[i].(*ast.Ident)
	if !ok {
		return "", false
	}
	return id.Name, true
}

// moduleDir is the directory of a module import path, or false for an
// import from outside the module.
func moduleDir(importPath string) (string, bool) {
	if importPath == archtest.Module {
		return ".", true
	}
	return strings.CutPrefix(importPath, archtest.Module+"/")
}

// callees resolves the function a call names to the module's candidates: a
// closure of the enclosing declaration, a function of the package or of an
// imported module package, or, for a method call, every method of that name
// in the package and in the module packages the file imports, narrowed to
// the receiver's type when its declaration tells it (ofReceiver). Another
// package's test files are not among them: its importers never see them.
func (m *module) callees(call *ast.CallExpr, scope *fn) []*fn {
	fun := unwrapFun(call.Fun)
	if id, ok := fun.(*ast.Ident); ok {
		if c, ok := scope.locals[id.Name]; ok {
			return []*fn{c}
		}
		fun = resolveFun(id, scope)
	}
	switch f := fun.(type) {
	case *ast.Ident:
		if paramIndex(scope, f) >= 0 {
			return nil
		}
		return m.funcs[funcKey(scope.file.dir, f.Name)]
	case *ast.SelectorExpr:
		if p, ok := importOf(f.X, scope); ok {
			if dir, internal := moduleDir(p); internal {
				return m.imported(scope, dir, f.Sel.Name)
			}
			return nil
		}
		found := m.funcs[funcKey(scope.file.dir, "."+f.Sel.Name)]
		for _, p := range scope.file.imports {
			if dir, internal := moduleDir(p); internal {
				found = append(found, m.imported(scope, dir, "."+f.Sel.Name)...)
			}
		}
		return ofReceiver(found, f.X, scope)
	}
	return nil
}

// imported lists the functions of dir under key name that scope's file
// sees through an import: those of another package's test files are left out.
func (m *module) imported(scope *fn, dir, name string) []*fn {
	all := m.funcs[funcKey(dir, name)]
	if dir == scope.file.dir {
		return all
	}
	var seen []*fn
	for _, g := range all {
		if !g.file.test {
			seen = append(seen, g)
		}
	}
	return seen
}

// unwrapFun strips parentheses and type arguments from a called expression.
func unwrapFun(e ast.Expr) ast.Expr {
	for {
		switch v := e.(type) {
		case *ast.ParenExpr:
			e = v.X
		case *ast.IndexExpr:
			e = v.X
		case *ast.IndexListExpr:
			e = v.X
		default:
			return e
		}
	}
}

// importOf reports the import path x names, when x is an import's name
// not shadowed by a parameter.
func importOf(x ast.Expr, scope *fn) (string, bool) {
	id, ok := x.(*ast.Ident)
	if !ok || paramIndex(scope, id) >= 0 {
		return "", false
	}
	p, ok := scope.file.imports[id.Name]
	return p, ok
}

// paramIndex is the index of the parameter e names, or -1.
func paramIndex(scope *fn, e ast.Expr) int {
	id, ok := e.(*ast.Ident)
	if !ok || id.Name == "_" {
		return -1
	}
	for i, p := range scope.params {
		if p == id.Name {
			return i
		}
	}
	return -1
}
