package errtext_test

import (
	"strconv"
	"testing"

	"github.com/sourceflow-go/sourceflow/internal/errtext"
)

// List names up to ten items, each once, then counts the others after
// its own separator.
func TestListNamesTheFirstTenThenCountsTheOthers(t *testing.T) {
	item := func(i int) string { return "m" + strconv.Itoa(i) }
	for _, tc := range []struct {
		n            int
		sep, moreSep string
		want         string
	}{
		{0, ", ", ", ", ""},
		{1, ", ", ", ", "m0"},
		{3, "; ", "; ", "m0; m1; m2"},
		{10, ",", " ", "m0,m1,m2,m3,m4,m5,m6,m7,m8,m9"},
		{11, ",", " ", "m0,m1,m2,m3,m4,m5,m6,m7,m8,m9 and 1 more"},
		{1000, ", ", ", ", "m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, and 990 more"},
		{12, "\n", "\n", "m0\nm1\nm2\nm3\nm4\nm5\nm6\nm7\nm8\nm9\nand 2 more"},
	} {
		if got := errtext.List(tc.n, tc.sep, tc.moreSep, item); got != tc.want {
			t.Errorf("List(%d, %q, %q) = %q, want %q", tc.n, tc.sep, tc.moreSep, got, tc.want)
		}
	}
}

// List asks for the text of the items it names only.
func TestListAsksOnlyForTheNamedItems(t *testing.T) {
	var asked []int
	errtext.List(1000, ",", " ", func(i int) string { asked = append(asked, i); return "" })
	if len(asked) != errtext.MaxListed || asked[len(asked)-1] != errtext.MaxListed-1 {
		t.Errorf("asked for %v, want 0 to %d", asked, errtext.MaxListed-1)
	}
}
