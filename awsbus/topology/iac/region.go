package iac

import (
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// inRegion is a property value set only where the output is deployed in
// region, and left unset elsewhere: the redrive policy of a subscription
// to a topic of another account named by ARN, made in the topic's region,
// since SNS redrives only to a queue of the subscription's account and
// region, and the dead-letter queue is of the deployment's (as
// topology.Provisioner.Create sets it only then).
type inRegion struct {
	region string
	value  any
}

// regionCondition is the name of the CloudFormation condition that the
// stack is deployed in region: "eu-west-1" → InRegionEuWest1.
func regionCondition(region string) string { return "InRegion" + camel(region) }

// cfnConditions returns the conditions the inRegion and inOptInRegion
// values of list name, nil for none.
func cfnConditions(list []*resource) map[string]any {
	var conds map[string]any
	if listHasOptIn(list) {
		conds = map[string]any{optInCondition: cfnAnyRegion(topology.OptInRegions())}
	}
	for _, region := range regionsOf(list) {
		if conds == nil {
			conds = map[string]any{}
		}
		conds[regionCondition(region)] = map[string]any{"Fn::Equals": []any{map[string]any{"Ref": "AWS::Region"}, region}}
	}
	return conds
}

// regionsOf returns the regions of the inRegion properties of list, sorted.
func regionsOf(list []*resource) []string {
	regions := map[string]bool{}
	for _, r := range list {
		for _, p := range r.props {
			if v, ok := p.value.(inRegion); ok {
				regions[v.region] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(regions))
}

// tfPropTokens is the HCL expression of p's value: a JSON document in
// jsonencode(…), an inRegion value as a conditional on the provider's
// region that is null elsewhere, and a value holding inOptInRegion values
// as a conditional on the provider's region being opt-in (whose branches
// HCL requires of one type, so the whole value is chosen).
func tfPropTokens(p prop) hclwrite.Tokens {
	if hasOptIn(p.value) {
		in, out := p, p
		in.value, out.value = resolveOptIn(p.value, true), resolveOptIn(p.value, false)
		return tfConditional(tfOptInCondition(), tfPropTokens(in), tfPropTokens(out))
	}
	v, conditional := p.value.(inRegion)
	if !conditional {
		v.value = p.value
	}
	toks := tfTokens(v.value)
	if p.doc {
		toks = hclwrite.TokensForFunctionCall("jsonencode", toks)
	}
	if !conditional {
		return toks
	}
	cond := traversal("data", "aws_region", "current", "region")
	cond = append(cond, &hclwrite.Token{Type: hclsyntax.TokenEqualOp, Bytes: []byte("==")})
	cond = append(cond, hclwrite.TokensForValue(cty.StringVal(v.region))...)
	return tfConditional(cond, toks, hclwrite.TokensForIdentifier("null"))
}
