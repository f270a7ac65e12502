package topology

import (
	"slices"
	"strings"
)

// regionPartitions maps region name prefixes to their ARN partitions;
// every other region is in "aws".
var regionPartitions = []struct{ prefix, partition string }{
	{"cn-", "aws-cn"},
	{"us-gov-", "aws-us-gov"},
	{"us-iso-", "aws-iso"},
	{"us-isob-", "aws-iso-b"},
	{"us-isof-", "aws-iso-f"},
	{"eu-isoe-", "aws-iso-e"},
	{"eusc-", "aws-eusc"},
}

// regionPartition returns the ARN partition of region.
func regionPartition(region string) string {
	for _, p := range regionPartitions {
		if strings.HasPrefix(region, p.prefix) {
			return p.partition
		}
	}
	return "aws"
}

// partitionOfRegion reports whether region may be in partition: false
// when one of them is a partition's known to be another's (a "cn-" region
// in "aws", a "us-east-1" in "aws-cn"); a region and partition neither
// known are taken as given.
func partitionOfRegion(partition, region string) bool {
	want := regionPartition(region)
	if want == partition {
		return true
	}
	return want == "aws" && !slices.ContainsFunc(regionPartitions, func(p struct{ prefix, partition string }) bool {
		return p.partition == partition
	})
}

// wantedPartition is the partition the error on a malformed ARN, split
// into parts, shows in the form it wants: the ARN's own, else its
// region's, else "aws".
func wantedPartition(parts []string) string {
	switch {
	case len(parts) > 1 && parts[1] != "":
		return parts[1]
	case len(parts) > 3 && parts[3] != "":
		return regionPartition(parts[3])
	}
	return "aws"
}
