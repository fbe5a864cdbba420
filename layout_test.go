package mvh_test

import (
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/minivoice/mvh"

// layer ranks every package of ours by the layout's direction (see
// CONTRIBUTING.md): spec ← delivery ← mock/fixtures ← suites ← reporters ←
// cmd. A package may import packages of its own rank or below, never
// above. The longest matching prefix decides; a package no row names fails
// the test, so a new package is placed on purpose.
var layer = []struct {
	prefix string
	rank   int
}{
	{"spec", 0}, {"redact", 0},
	{"outcome", 1}, {"redelivery", 1},
	{"delivery", 2},
	{"mock", 3}, {"fixtures", 3}, {"loadgen", 3},
	{"suites", 4}, {"dbtest", 4},
	{"reporters", 5},
	{"cmd", 6},
	{"receivers", 6}, // rank unused: receivers have their own rule
}

// only restricts what some packages may import of ours at all: the
// contract stands alone, delivery is built on the contract only, and the
// receivers (programs people copy) take nothing of the harness but the
// signature package.
var only = []struct {
	prefix string
	allow  []string
}{
	{"spec", []string{"spec"}},
	{"delivery", []string{"spec", "spec/signature"}},
	{"receivers", []string{"spec/signature", "receivers"}},
}

// driverFree are packages that must link no database driver: the check
// author's framework and the checks. Drivers are what package harness
// (through suites/observe/sqlobserve) links.
var driverFree = []string{"suites/framework", "suites/ack", "suites/signature", "suites/input",
	"suites/idempotency", "suites/ordering", "suites/load", "suites/resilience"}

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
	Dir        string
	GoFiles    []string
}

// packages lists our packages with go list -json.
func packages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var ps []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		t.Fatal("go list found no packages")
	}
	return ps
}

// ours is p's path inside the module, or false for other modules.
func ours(path string) (string, bool) {
	if path == module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, module+"/")
	return rel, ok
}

func under(rel, prefix string) bool { return rel == prefix || strings.HasPrefix(rel, prefix+"/") }

func rankOf(rel string) (int, bool) {
	best, rank := -1, 0
	for _, l := range layer {
		if under(rel, l.prefix) && len(l.prefix) > best {
			best, rank = len(l.prefix), l.rank
		}
	}
	return rank, best >= 0
}

// TestLayoutDirection fails for an import against the layout's direction.
func TestLayoutDirection(t *testing.T) {
	for _, p := range packages(t) {
		rel, _ := ours(p.ImportPath)
		if rel == "" {
			continue // this test's own package
		}
		rank, ok := rankOf(rel)
		if !ok {
			t.Errorf("%s: no layer in layout_test.go (and CONTRIBUTING.md) says where it belongs", rel)
			continue
		}
		for _, imp := range p.Imports {
			dep, mine := ours(imp)
			if !mine {
				continue
			}
			for _, o := range only {
				if under(rel, o.prefix) && !slices.ContainsFunc(o.allow, func(a string) bool { return under(dep, a) }) {
					t.Errorf("%s imports %s: %s/... may import only %v of ours", rel, dep, o.prefix, o.allow)
				}
			}
			if under(rel, "receivers") {
				continue
			}
			if r, ok := rankOf(dep); ok && r > rank {
				t.Errorf("%s imports %s, against the direction spec ← delivery ← mock/fixtures ← suites ← reporters ← cmd", rel, dep)
			}
		}
	}
}

// drivers are the database packages a check must not link: database/sql
// itself (every driver registers with it; database/sql/driver alone is
// only an interface, which ginkgo's semver dependency uses) and the
// drivers we know.
var drivers = []string{"modernc.org/sqlite", "github.com/jackc/pgx",
	"github.com/go-sql-driver/mysql", "github.com/lib/pq", "github.com/mattn/go-sqlite3"}

// TestNoDriverInChecks: the framework and the checks link no database
// driver.
func TestNoDriverInChecks(t *testing.T) {
	seen := 0
	for _, p := range packages(t) {
		rel, _ := ours(p.ImportPath)
		if !slices.Contains(driverFree, rel) {
			continue
		}
		seen++
		for _, d := range p.Deps {
			if d == "database/sql" || slices.ContainsFunc(drivers, func(dr string) bool { return under(d, dr) }) {
				t.Errorf("%s links %s: database access belongs in suites/observe/sqlobserve, wired by suites/harness", rel, d)
			}
		}
	}
	if seen != len(driverFree) {
		t.Errorf("found %d of the %d driver-free packages %v: a row names a package that moved", seen, len(driverFree), driverFree)
	}
}

// TestNoExportedMutableState fails for a package-level exported variable
// that is a slice or a map: any importer could change it for everyone.
// Make it a function returning a fresh value, or an array.
func TestNoExportedMutableState(t *testing.T) {
	fset := token.NewFileSet()
	for _, p := range packages(t) {
		for _, name := range p.GoFiles {
			path := filepath.Join(p.Dir, name)
			f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range mutableExports(f) {
				t.Errorf("%s: exported package-level %s is a slice or map", fset.Position(v.Pos()), v.Name)
			}
		}
	}
}

// mutableExports returns the exported package-level variables of f whose
// declared type or initial value is a slice or a map.
func mutableExports(f *ast.File) []*ast.Ident {
	var out []*ast.Ident
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !name.IsExported() {
					continue
				}
				if sliceOrMap(vs.Type) || (i < len(vs.Values) && sliceOrMapValue(vs.Values[i])) {
					out = append(out, name)
				}
			}
		}
	}
	return out
}

func sliceOrMap(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.ArrayType:
		return t.Len == nil
	case *ast.MapType:
		return true
	}
	return false
}

func sliceOrMapValue(e ast.Expr) bool {
	switch v := e.(type) {
	case *ast.CompositeLit:
		return sliceOrMap(v.Type)
	case *ast.CallExpr:
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "make" && len(v.Args) > 0 {
			return sliceOrMap(v.Args[0])
		}
	}
	return false
}
