package archtest_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/sourceflow-go/sourceflow/internal/archtest"
)

// listImports returns, per module package, its non-test imports under the
// given build tags.
func listImports(t *testing.T, tags string) map[string][]string {
	t.Helper()
	cmd := exec.Command("go", "list", "-tags="+tags, "-f", "{{.ImportPath}} {{join .Imports \" \"}}", archtest.Module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 0 {
			pkgs[fields[0]] = fields[1:]
		}
	}
	return pkgs
}

func relative(path string) (string, bool) {
	if path == archtest.Module {
		return "", true
	}
	rel, ok := strings.CutPrefix(path, archtest.Module+"/")
	return rel, ok
}

func isStdlib(path string) bool { return !strings.Contains(strings.Split(path, "/")[0], ".") }

func TestImportsFollowTheAllowedDirections(t *testing.T) {
	rules := archtest.Rules()
	for _, tags := range []string{"", "integration"} {
		for pkg, imports := range listImports(t, tags) {
			rel, _ := relative(pkg)
			rule, ok := rules[rel]
			if !ok {
				t.Errorf("package %q has no import rule in internal/archtest/rules.go", rel)
				continue
			}
			for _, imp := range imports {
				if msg := violationFrom(rel, rule, imp); msg != "" {
					t.Errorf("[tags=%q] %q imports %q: %s", tags, rel, imp, msg)
				}
			}
		}
	}
}

// violationFrom is violation for package pkg, which also checks that only
// the commands and the integration tests import a command's package.
func violationFrom(pkg string, rule archtest.Rule, imp string) string {
	if target, internal := relative(imp); internal && !archtest.MayImportCommands(pkg) &&
		(target == archtest.Commands || strings.HasPrefix(target, archtest.Commands+"/")) {
		return "nothing but cmd/ and integration may import cmd/"
	}
	return violation(rule, imp)
}

func violation(rule archtest.Rule, imp string) string {
	if isStdlib(imp) {
		return ""
	}
	if rule.StdlibOnly {
		return "only the standard library is allowed"
	}
	if target, internal := relative(imp); internal {
		switch {
		case strings.HasPrefix(target, "examples") || target == "integration":
			return "nothing may import examples or integration"
		case rule.AnyInternal, slices.Contains(rule.Internal, target):
			return ""
		}
		return "not an allowed internal dependency"
	}
	for _, prefix := range rule.Forbidden {
		if strings.HasPrefix(imp, prefix) {
			return "forbidden prefix " + prefix
		}
	}
	return ""
}

func TestViolationCatchesForbiddenImports(t *testing.T) {
	rules := archtest.Rules()
	tests := []struct {
		pkg, imp string
		bad      bool
	}{
		{"cqrs", "github.com/aws/aws-sdk-go-v2/service/sqs", true},
		{"cqrs", "go.opentelemetry.io/otel", true},
		{"cqrs", archtest.Module + "/awsbus", true},
		{"cqrs", archtest.Module + "/middleware", true},
		{"middleware/tracing", archtest.Module + "/middleware/metrics", true},
		{"middleware/encryption", "go.opentelemetry.io/otel/trace", true},
		{"awsbus", archtest.Module + "/cqrs", true},
		{"", "github.com/ThreeDotsLabs/watermill", true},
		{"idempotency", archtest.Module + "/examples/orders", true},
		{"cqrs", "github.com/ThreeDotsLabs/watermill/message", false},
		{"cqrs", archtest.Module, false},
		{"middleware/encryption", "github.com/aws/aws-sdk-go-v2/service/kms", false},
		{"examples/orders", archtest.Module + "/awsbus", false},
		{"examples/orders", archtest.Module + "/integration", true},
		{"examples/orders", archtest.Module + "/cmd/sourceflow/cli", true},
		{"awsbus", archtest.Module + "/cmd/sourceflow/cli", true},
		{"integration", archtest.Module + "/cmd/sourceflow/cli", false},
		{"cmd/sourceflow", archtest.Module + "/cmd/sourceflow/cli", false},
		{"cmd/sourceflow/cli", archtest.Module + "/awsbus/topology", false},
		{"cmd/sourceflow/cli", archtest.Module + "/examples/orders", true},
	}
	for _, tt := range tests {
		got := violationFrom(tt.pkg, rules[tt.pkg], tt.imp) != ""
		if got != tt.bad {
			t.Errorf("violation(%q imports %q) = %v, want %v", tt.pkg, tt.imp, got, tt.bad)
		}
	}
}
