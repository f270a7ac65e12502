package archtest_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fixture is a small module, parsed but never built, with a condition for
// each way of stopping the test and for each safe one.
const fixture = "testdata/eventually"

// wantStops lists, as "file:line", the fixture's lines that end in
// "// stops": the calls the scan reports.
func wantStops(t *testing.T) []string {
	t.Helper()
	var want []string
	err := filepath.WalkDir(fixture, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(fixture, p)
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasSuffix(line, "// stops") {
				want = append(want, fmt.Sprintf("%s:%d", filepath.ToSlash(rel), i+1))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("read the fixture: %v", err)
	}
	slices.Sort(want)
	return want
}

func TestEventuallyScanFindsEachWayOfStoppingTheTest(t *testing.T) {
	m, err := loadModule(fixture)
	if err != nil {
		t.Fatalf("parse the fixture: %v", err)
	}
	findings := m.eventuallyFindings()
	var got []string
	for _, f := range findings {
		got = append(got, fmt.Sprintf("%s:%d", f.file, f.line))
	}
	got = slices.Compact(got)
	if want := wantStops(t); !slices.Equal(got, want) {
		t.Errorf("findings at %v, want %v; all: %v", got, want, findings)
	}
}

func TestEventuallyFindingSaysWhereAndWhatToDoInstead(t *testing.T) {
	f := finding{file: "a/a_test.go", line: 17, what: "rows", poller: "require.Eventually"}
	want := "a/a_test.go:17: rows in a condition of require.Eventually may stop the test from the polling goroutine: " +
		"return false on an error instead, or use require.EventuallyWithT and fail through its *assert.CollectT " +
		"(a helper takes it as a require.TestingT)"
	if got := f.String(); got != want {
		t.Errorf("finding reads\n%s\nwant\n%s", got, want)
	}
}
