package topology

// checkPartitions refuses destinations named by ARN in two partitions
// ("aws", "aws-cn", ...): a service's credentials reach one partition's
// resources only, so one of them is a mistake. Malformed ARNs are left to
// checkName.
func (r *routing) checkPartitions() {
	var firstARN, firstPartition string
	for _, d := range r.sortedDests() {
		if d.foreign == nil {
			continue
		}
		partition, what := arnField(d.name, 1), foreignResource(*d.foreign)
		switch {
		case firstARN == "":
			firstARN, firstPartition = d.name, partition
		case partition != firstPartition:
			r.fail("%s: %s ARN %q is in partition %s, but %q is in %s: a service reaches one partition's "+
				"resources only: %w", d.reportedField(), what, d.name, partition, firstARN, firstPartition, ErrInvalidConfig)
		}
	}
}
