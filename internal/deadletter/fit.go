package deadletter

import (
	"fmt"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqsrules"
)

// CutReasonBytes is how much of a reason Fit keeps at first.
const CutReasonBytes = 256

// Fit makes a dead letter whose metadata is md fit a size limit, named
// limit in the note a cut reason ends with ("max_allowed_packet"), that
// fits reports on, reading md as Fit changes it. It drops where the
// message's handler failed (sourceflow.MetaFailedHost and
// MetaFailedVersion) first, then cuts its failure reasons
// (sourceflow.MetaLastError, then sourceflow.MetaFailure) to
// CutReasonBytes, keeping their beginning and their end (sqsrules.Reason),
// saying so, and when it still does not fit, to the note saying so alone:
// every dead letter says why it is there, the rest only helps (as awsbus's
// copy). It reports whether the dead letter fits; the other metadata and
// the payload are the caller's to leave out when it does not.
func Fit(md map[string]string, fits func() bool, limit string) bool {
	if fits() {
		return true
	}
	delete(md, sourceflow.MetaFailedHost)
	delete(md, sourceflow.MetaFailedVersion)
	keys := []string{sourceflow.MetaLastError, sourceflow.MetaFailure}
	whole := make(map[string]string, len(keys))
	for _, key := range keys {
		whole[key] = md[key]
	}
	for _, keep := range []int{CutReasonBytes, 0} {
		for _, key := range keys {
			if fits() {
				return true
			}
			if v := whole[key]; len(v) > keep {
				md[key] = cutReason(v, keep, limit)
			}
		}
	}
	return fits()
}

// cutReason is reason cut to at most keep bytes, keeping its beginning and
// its end, where the cause is (sqsrules.Reason), followed by a note saying
// how long it was and the limit it must fit.
func cutReason(reason string, keep int, limit string) string {
	kept := sqsrules.Reason(reason, keep)
	note := fmt.Sprintf("(cut from %d bytes: the dead letter must fit in %s)", len(reason), limit)
	if kept == "" {
		return note
	}
	return kept + " " + note
}
