package policy_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoleChecksOnlyInPolicy keeps every decision on what a role allows in
// this package. It parses every hand-written, non-test Go file of the
// repository and fails on any call of the viewer's role helpers (HasRole,
// IsMember, SchoolsWithRole) and any comparison with a role constant
// (== or != models.RoleAdmin, …) outside models/policy and the viewer
// type itself: anywhere else, ask policy (policy.IsAdmin, IsStaff,
// StaffSchools, RequireSchoolAdmin, …).
func TestRoleChecksOnlyInPolicy(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"models/policy": true, "models/viewer.go": true}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			if rel == "graph/generated" || rel == "tools/emulator" || strings.HasPrefix(d.Name(), ".") || allowed[rel] {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || allowed[rel] {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && !isPolicy(sel.X) {
					switch sel.Sel.Name {
					case "HasRole", "IsMember", "SchoolsWithRole":
						t.Errorf("%s: %s decides on a role outside policy: ask package policy", fset.Position(n.Pos()), sel.Sel.Name)
					}
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (isRole(n.X) || isRole(n.Y)) {
					t.Errorf("%s: compares with a role outside policy: ask package policy", fset.Position(n.Pos()))
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("only %d files checked: is the walk rooted at the repository?", checked)
	}
}

func isRole(e ast.Expr) bool {
	sel, ok := e.(*ast.SelectorExpr)
	return ok && (sel.Sel.Name == "RoleAdmin" || sel.Sel.Name == "RoleTeacher" || sel.Sel.Name == "RoleParent")
}

// isPolicy reports the package policy's own functions (policy.IsMember).
func isPolicy(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "policy"
}
