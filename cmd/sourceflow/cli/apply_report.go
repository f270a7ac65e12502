package cli

import (
	"fmt"
	"io"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// markLeft marks the changes whose drift is still in after, the report
// of the validation that follows apply: what apply leaves as it is (a KMS
// key another service set on a shared topic, say) is not reported as
// created or changed.
func markLeft(cs []change, after topology.DriftReport) []change {
	still := make(map[topology.Drift]bool, len(after.Drifts))
	for _, d := range after.Drifts {
		still[d] = true
	}
	for i := range cs {
		if cs[i].action == actionCreate || cs[i].action == actionChange {
			cs[i].left = still[cs[i].drift]
		}
	}
	return cs
}

// printApplied prints what apply did, one line per change, and counts
// the changes it made and those it left as they are, kept ones included
// (a KMS key's drift, always left to the key's owner, is not counted: the
// error says so).
func printApplied(w io.Writer, cs []change) {
	left := 0
	for _, c := range cs {
		fmt.Fprintln(w, c.doneLine())
		if c.left || c.action == actionKeep {
			left++
		}
	}
	fmt.Fprintf(w, "Apply complete: %d created, %d changed", made(cs, actionCreate), made(cs, actionChange))
	if left > 0 {
		fmt.Fprintf(w, ", %d left", left)
	}
	fmt.Fprintln(w, ".")
}

// made returns how many changes with action apply made.
func made(cs []change, action string) int {
	n := 0
	for _, c := range cs {
		if c.action == action && !c.left {
			n++
		}
	}
	return n
}
