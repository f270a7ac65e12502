package encryption

import "strings"

// keyARN is a KMS key ARN, arn:partition:kms:region:account:key/id, split
// into the parts the allowed keys compare.
type keyARN struct {
	partition, region, account, id string
}

// parseKeyARN splits s when it is a key ARN: exactly six colon-separated
// parts, service kms, a resource key/ followed by an id with no further
// colon or slash. A key id, an alias, an alias ARN and any ARN with more
// after its key id are not.
func parseKeyARN(s string) (keyARN, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" {
		return keyARN{}, false
	}
	id, ok := strings.CutPrefix(parts[5], "key/")
	if !ok || id == "" || strings.Contains(id, "/") || parts[1] == "" || parts[3] == "" || parts[4] == "" {
		return keyARN{}, false
	}
	return keyARN{partition: parts[1], region: parts[3], account: parts[4], id: id}, true
}

// IsKeyARN reports whether id is a key ARN (arn:PARTITION:kms:REGION:
// ACCOUNT:key/ID), not a key id, alias or alias ARN: an id of
// DecrypterConfig.KeyIDs that it is not is resolved with kms:DescribeKey
// (see KeyIDs), so a caller that resolves its ids beforehand resolves those.
func IsKeyARN(id string) bool {
	_, ok := parseKeyARN(id)
	return ok
}

// multiRegion reports whether k is a multi-Region key ("mrk-…"): its
// replicas share its id, account and partition in every Region.
func (k keyARN) multiRegion() bool { return strings.HasPrefix(k.id, "mrk-") }

// String returns the ARN of k.
func (k keyARN) String() string {
	return "arn:" + k.partition + ":kms:" + k.region + ":" + k.account + ":key/" + k.id
}

// anyRegion returns the name under which the allowed keys hold a
// multi-Region key for every Region: its ARN without a Region. KMS reports
// the replica of the caller's Region, whichever Region the allowed ARN
// names, but never a key of another account or partition.
func (k keyARN) anyRegion() string {
	k.region = ""
	return k.String()
}

// multiRegionName returns keyARN's anyRegion name when it is the ARN of a
// multi-Region key, "" otherwise.
func multiRegionName(keyARN string) string {
	if k, ok := parseKeyARN(keyARN); ok && k.multiRegion() {
		return k.anyRegion()
	}
	return ""
}
