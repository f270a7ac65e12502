package iac

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
	"unicode"
)

// maxIDLength bounds CloudFormation logical ids (CloudFormation allows 255)
// and Terraform names, hash included.
const maxIDLength = 200

// canonical names map to ids one to one, with no hash: lower-case words of
// letters and digits, each starting with a letter, joined by single
// hyphens, optionally ending in ".fifo"; a last word "fifo" would read like
// the suffix, so it is not canonical.
var canonical = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*(\.fifo)?$`)

func isCanonical(name string) bool {
	return canonical.MatchString(name) && !strings.HasSuffix(name, "-fifo")
}

// words splits an AWS name into its alphanumeric runs: "order-events.fifo"
// is order, events, fifo.
func words(name string) []string {
	return strings.FieldsFunc(name, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

// hashOf is 8 hex digits of the FNV-1a hash of name.
func hashOf(name string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(name)) // a hash.Hash never fails to write
	return fmt.Sprintf("%08x", h.Sum32())
}

// stable finishes an id derived from parts: parts that are not all
// canonical, parts whose id could be read as other parts (oneReading), or
// an id past maxIDLength, get the hash of the parts, so that ids depend on
// the names alone and never on what else is exported (a renamed resource
// would be replaced), and distinct parts never share an id but by a hash
// crafted to collide, which assignIDs refuses.
func stable(id, suffix string, parts []string) string {
	if !plain(parts) || len(id)+len(suffix) > maxIDLength {
		key := strings.Join(parts, " ")
		return id[:min(len(id), maxIDLength-len(suffix)-8)] + hashOf(key) + suffix
	}
	return id + suffix
}

// plain reports whether the id of parts needs no hash: every part is
// canonical and, joined, they read one way only.
func plain(parts []string) bool {
	for _, p := range parts {
		if !isCanonical(p) {
			return false
		}
	}
	return len(parts) == 1 || oneReading(parts)
}

// camel capitalises each word of name: "order-events.fifo" → OrderEventsFifo.
func camel(name string) string {
	var b strings.Builder
	for _, w := range words(name) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// cfnID is a CloudFormation logical id: the parts of the resource's name
// camel-cased, joined by "To", then the resource type ("orders.fifo",
// "Queue" → OrdersFifoQueue; a subscription of order-events to
// orders-order-events → OrderEventsToOrdersOrderEventsSubscription). Each
// type's suffix differs from the end of every other's, so two types never
// share an id.
func cfnID(parts []string, suffix string) string {
	ids := make([]string, len(parts))
	for i, p := range parts {
		ids[i] = camel(p)
	}
	return stable(strings.Join(ids, camel(joinWord)), suffix, parts)
}

// tfName is a Terraform resource name, unique per resource type: the words
// of each part, lower case, joined by underscores, the parts by "_to_"
// ("orders.fifo" → orders_fifo).
func tfName(parts []string) string {
	names := make([]string, len(parts))
	for i, p := range parts {
		names[i] = strings.ToLower(strings.Join(words(p), "_"))
	}
	s := strings.Join(names, "_"+joinWord+"_")
	if s == "" || !unicode.IsLetter(rune(s[0])) {
		s = "r_" + s
	}
	return stable(s, "", parts)
}

// assignIDs gives every resource its CloudFormation logical id and its
// Terraform name. Ids derive from names alone; two resources that still
// end up with one id (names crafted to collide with a hash) are an error.
func assignIDs(list []*resource) error {
	cfn := map[string]*resource{}
	tf := map[string]*resource{}
	for _, r := range list {
		parts := r.parts
		if len(parts) == 0 {
			parts = []string{r.name}
		}
		r.cfnID, r.tfID = cfnID(parts, r.typ.suffix), tfName(parts)
		if prev, ok := cfn[r.cfnID]; ok {
			return fmt.Errorf("iac: %s %q and %s %q get one logical id %s; rename one", prev.typ.tf, prev.name, r.typ.tf, r.name, r.cfnID)
		}
		cfn[r.cfnID] = r
		k := r.typ.tf + "." + r.tfID
		if prev, ok := tf[k]; ok {
			return fmt.Errorf("iac: %s %q and %q get one Terraform name %s; rename one", r.typ.tf, prev.name, r.name, k)
		}
		tf[k] = r
	}
	return nil
}
