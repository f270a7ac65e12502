package sqldbtest

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// NamesPackageOnce checks the message of err, an error a user of the public
// package pkg ("sqlstore", "sqlbus") meets: it starts with "pkg: ", names
// pkg nowhere else (as a word: the table sourceflow_outbox is not the
// package outbox), and never names the internal package that did the work.
func NamesPackageOnce(t testing.TB, pkg string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("want an error of %s, got none", pkg)
	}
	msg, prefix := err.Error(), pkg+": "
	named := regexp.MustCompile(`(^|[^\w/$.])` + regexp.QuoteMeta(prefix))
	switch {
	case !strings.HasPrefix(msg, prefix):
		t.Errorf("error %q does not start with %q", msg, prefix)
	case len(named.FindAllStringIndex(msg, -1)) != 1:
		t.Errorf("error %q names %s more than once", msg, pkg)
	}
	if strings.Contains(msg, "sqldb") {
		t.Errorf("error %q names the internal package sqldb", msg)
	}
}

// InvalidConfig checks err, the refusal of a configuration by the public
// package pkg: it reads "pkg: invalid configuration: …" as NamesPackageOnce
// wants, and matches each of sentinels (the package's ErrInvalidConfig and
// the problems' own).
func InvalidConfig(t testing.TB, pkg string, err error, sentinels ...error) {
	t.Helper()
	NamesPackageOnce(t, pkg, err)
	if err == nil {
		return
	}
	if prefix := pkg + ": invalid configuration: "; !strings.HasPrefix(err.Error(), prefix) {
		t.Errorf("error %q does not start with %q", err, prefix)
	}
	for _, s := range sentinels {
		if !errors.Is(err, s) {
			t.Errorf("error %q does not match %q", err, s)
		}
	}
}
