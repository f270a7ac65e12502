package topology

import (
	"fmt"
	"strings"
)

// Drift is one difference between AWS and the topology.
type Drift struct {
	// Resource is "queue", "topic", "subscription", "policy", "table" or
	// "key" (the KMS key, checked when ProvisionerConfig.KMS is set).
	Resource string `json:"resource"`
	// Name names the queue, topic, "topic -> queue" subscription, table or
	// KMS key.
	Name string `json:"name"`
	// Problem says what differs, e.g. "missing" or
	// "RedrivePolicy maxReceiveCount is 9, want 5".
	Problem string `json:"problem"`
	// Kept says that Create leaves the difference as it is: a value
	// another service set on a resource the services share (a topic's KMS
	// key, a tag value of a topic or table), which Create never
	// overwrites, or the services would write theirs back in turn; or a
	// table's time to live on another attribute, which DynamoDB does not
	// move while it is on. It is a difference all the same: Apply in
	// Validate mode fails on it.
	Kept bool `json:"kept,omitempty"`
}

// String formats the drift as "queue orders: missing".
func (d Drift) String() string { return d.Resource + " " + d.Name + ": " + d.Problem }

// DriftReport lists every drift found by Validate.
type DriftReport struct {
	// Drifts are in plan order: queues, topics, policies, subscriptions,
	// tables, the key.
	Drifts []Drift `json:"drifts"`
}

// OK reports whether nothing drifted.
func (r DriftReport) OK() bool { return len(r.Drifts) == 0 }

// String lists the drifts, one per line.
func (r DriftReport) String() string {
	lines := make([]string, len(r.Drifts))
	for i, d := range r.Drifts {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}

func (r *DriftReport) add(resource, name, format string, args ...any) {
	r.Drifts = append(r.Drifts, Drift{Resource: resource, Name: name, Problem: fmt.Sprintf(format, args...)})
}

// keep adds a drift that Create leaves as it is (Drift.Kept).
func (r *DriftReport) keep(resource, name, format string, args ...any) {
	r.add(resource, name, format, args...)
	r.Drifts[len(r.Drifts)-1].Kept = true
}

// DriftError is returned by Apply in Validate mode when AWS differs from the
// topology. It matches ErrDrift.
type DriftError struct {
	// Report lists every drift.
	Report DriftReport
}

// Error lists the drifts.
func (e *DriftError) Error() string {
	return fmt.Sprintf("topology: %d drift(s) from the topology:\n%s", len(e.Report.Drifts), e.Report)
}

// Unwrap returns ErrDrift.
func (e *DriftError) Unwrap() error { return ErrDrift }
