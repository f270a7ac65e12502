package topology

import (
	"strings"

	"github.com/sourceflow-go/sourceflow"
)

// checkPartitions refuses destinations named by ARN in two partitions
// ("aws", "aws-cn", ...): a service's credentials reach one partition's
// resources only, so one of them is a mistake. Malformed ARNs are left to
// checkName.
func (r *routing) checkPartitions() {
	var firstARN, firstPartition string
	for _, d := range r.sortedDests() {
		if !IsARN(d.name) {
			continue
		}
		if _, err := ParseForeign(d.name, d.kind); err != nil {
			continue
		}
		partition, what := strings.Split(d.name, ":")[1], "queue"
		if d.kind == sourceflow.KindEvent {
			what = "topic"
		}
		switch {
		case firstARN == "":
			firstARN, firstPartition = d.name, partition
		case partition != firstPartition:
			r.fail("%s: %s ARN %q is in partition %s, but %q is in %s: a service reaches one partition's "+
				"resources only: %w", d.reportedField(), what, d.name, partition, firstARN, firstPartition, ErrInvalidConfig)
		}
	}
}
