package iac

import (
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// inOptInRegion is a value that is in where the output is deployed in an
// opt-in region (topology.OptInRegions) and out elsewhere: the SNS
// principals of a queue or key delivered to from a topic of a region
// enabled by default, which SNS calls as the regional principal of the
// opt-in region the queue is in (deployedSNSPrincipal).
type inOptInRegion struct{ in, out any }

// deployedSNSPrincipal is the regional SNS principal of the region the
// output is deployed in, sns.<region>.amazonaws.com.
type deployedSNSPrincipal struct{}

// optInCondition is the name of the CloudFormation condition that the
// stack is deployed in an opt-in region.
const optInCondition = "InOptInRegion"

// cfnMaxOr is how many conditions CloudFormation's Fn::Or takes at most.
const cfnMaxOr = 10

// cfnAnyRegion is a CloudFormation condition that the stack is deployed
// in one of regions, Fn::Or nested to take at most cfnMaxOr each.
func cfnAnyRegion(regions []string) any {
	if len(regions) == 1 {
		return map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "AWS::Region"}, regions[0]}}
	}
	var parts []any
	size := max(1, (len(regions)+cfnMaxOr-1)/cfnMaxOr)
	for c := range slices.Chunk(regions, size) {
		parts = append(parts, cfnAnyRegion(c))
	}
	return map[string]any{"Fn::Or": parts}
}

// tfOptInCondition is the HCL expression that the provider's region is
// an opt-in region.
func tfOptInCondition() hclwrite.Tokens {
	regions := make([]cty.Value, 0, len(topology.OptInRegions()))
	for _, r := range topology.OptInRegions() {
		regions = append(regions, cty.StringVal(r))
	}
	return hclwrite.TokensForFunctionCall("contains", hclwrite.TokensForValue(cty.ListVal(regions)),
		traversal("data", "aws_region", "current", "region"))
}

// tfConditional is the HCL expression cond ? yes : no.
func tfConditional(cond, yes, no hclwrite.Tokens) hclwrite.Tokens {
	out := append(hclwrite.Tokens{}, cond...)
	out = append(out, &hclwrite.Token{Type: hclsyntax.TokenQuestion, Bytes: []byte("?")})
	out = append(out, yes...)
	out = append(out, &hclwrite.Token{Type: hclsyntax.TokenColon, Bytes: []byte(":")})
	return append(out, no...)
}

// hasOptIn reports whether v holds an inOptInRegion value.
func hasOptIn(v any) bool {
	switch x := v.(type) {
	case inOptInRegion:
		return true
	case inRegion:
		return hasOptIn(x.value)
	case map[string]any:
		return slices.ContainsFunc(slices.Collect(maps.Values(x)), hasOptIn)
	case []any:
		return slices.ContainsFunc(x, hasOptIn)
	}
	return false
}

// listHasOptIn reports whether a property of list holds an inOptInRegion
// value.
func listHasOptIn(list []*resource) bool {
	for _, r := range list {
		for _, p := range r.props {
			if hasOptIn(p.value) {
				return true
			}
		}
	}
	return false
}

// resolveOptIn returns v with each inOptInRegion value replaced by its in
// value where in is true, its out value otherwise.
func resolveOptIn(v any, in bool) any {
	switch x := v.(type) {
	case inOptInRegion:
		if in {
			return resolveOptIn(x.in, in)
		}
		return resolveOptIn(x.out, in)
	case inRegion:
		return inRegion{region: x.region, value: resolveOptIn(x.value, in)}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = resolveOptIn(e, in)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolveOptIn(e, in)
		}
		return out
	}
	return v
}
