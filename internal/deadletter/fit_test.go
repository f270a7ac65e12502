package deadletter_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

// sizeOf is the bytes of md's keys and values.
func sizeOf(md map[string]string) int {
	n := 0
	for k, v := range md {
		n += len(k) + len(v)
	}
	return n
}

// marked is the metadata of a dead letter with every marker Fit gives up.
func marked() map[string]string {
	return map[string]string{
		"sf_type":                    "orders.CreateOrder",
		sourceflow.MetaFailure:       "failed: " + strings.Repeat("r", 600) + ": the cause",
		sourceflow.MetaLastError:     strings.Repeat("e", 400),
		sourceflow.MetaFailedHost:    "host-1",
		sourceflow.MetaFailedVersion: "v1.2.3",
	}
}

// Fit gives up where the handler failed first, then cuts the last error
// before the reason, to CutReasonBytes and then to the note alone, and
// stops as soon as the dead letter fits; the other metadata is kept.
func TestFitGivesUpTheMarkersInOrder(t *testing.T) {
	whole := marked()
	noOrigin := sizeOf(whole) - len(sourceflow.MetaFailedHost+"host-1"+sourceflow.MetaFailedVersion+"v1.2.3")
	for name, tc := range map[string]struct {
		limit      int
		lastCut    bool
		failureCut bool
	}{
		"origin dropped":   {noOrigin, false, false},
		"last error cut":   {noOrigin - 50, true, false},
		"both cut":         {noOrigin - 400, true, true},
		"cut to the notes": {noOrigin - 650, true, true},
	} {
		t.Run(name, func(t *testing.T) {
			md := marked()
			fits := func() bool { return sizeOf(md) <= tc.limit }
			assert.True(t, deadletter.Fit(md, fits, "the limit"))
			assert.NotContains(t, md, sourceflow.MetaFailedHost)
			assert.NotContains(t, md, sourceflow.MetaFailedVersion)
			assert.Equal(t, "orders.CreateOrder", md["sf_type"])
			assert.Equal(t, tc.lastCut, md[sourceflow.MetaLastError] != whole[sourceflow.MetaLastError], "last error cut")
			assert.Equal(t, tc.failureCut, md[sourceflow.MetaFailure] != whole[sourceflow.MetaFailure], "reason cut")
			if tc.failureCut {
				assert.True(t, strings.HasSuffix(md[sourceflow.MetaFailure], "(cut from 619 bytes: the dead letter must fit in the limit)"), md[sourceflow.MetaFailure])
			}
		})
	}
}

// A dead letter that does not fit even with its reasons cut to the notes
// is reported, with its reasons cut to the notes, for its caller to leave
// out more; one that fits is left as it is.
func TestFitReportsADeadLetterThatDoesNotFit(t *testing.T) {
	md := marked()
	assert.False(t, deadletter.Fit(md, func() bool { return false }, "the limit"))
	assert.Equal(t, "(cut from 619 bytes: the dead letter must fit in the limit)", md[sourceflow.MetaFailure])
	assert.Equal(t, "(cut from 400 bytes: the dead letter must fit in the limit)", md[sourceflow.MetaLastError])

	md = marked()
	assert.True(t, deadletter.Fit(md, func() bool { return true }, "the limit"))
	assert.Equal(t, marked(), md)
}
