package iac

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// AWSProviderVersion is the version constraint of the hashicorp/aws
// provider the Terraform output declares: 6.8 is the first that accepts
// max_message_size above 262144, and every queue is rendered with 1 MiB.
const AWSProviderVersion = "~> 6.8"

// Terraform renders the union of plans as one Terraform configuration
// (HCL) for the hashicorp/aws provider. Applying it creates what
// topology.ProvisionCreate would, so services started with
// topology.ProvisionValidate find no drift.
func Terraform(plans ...topology.Plan) ([]byte, error) {
	s, list, err := render(plans)
	if err != nil {
		return nil, err
	}
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment,
		Bytes: []byte("# SourceFlow topology of " + oneLine(strings.Join(s.services, ", ")) + "\n")}})
	provider := body.AppendNewBlock("terraform", nil).Body().AppendNewBlock("required_providers", nil).Body()
	provider.SetAttributeValue("aws", cty.ObjectVal(map[string]cty.Value{
		"source": cty.StringVal("hashicorp/aws"), "version": cty.StringVal(AWSProviderVersion),
	}))
	if len(s.keys) > 0 { // the key policy names the account
		body.AppendNewline()
		body.AppendNewBlock("data", []string{"aws_caller_identity", "current"})
		body.AppendNewline()
		body.AppendNewBlock("data", []string{"aws_partition", "current"})
	}
	if len(regionsOf(list)) > 0 || listHasOptIn(list) { // a property set by the region deployed in
		body.AppendNewline()
		body.AppendNewBlock("data", []string{"aws_region", "current"})
	}
	for _, r := range list {
		body.AppendNewline()
		rb := body.AppendNewBlock("resource", []string{r.typ.tf, r.tfID}).Body()
		for _, p := range r.props {
			if p.tf == "" {
				continue
			}
			if p.block {
				appendBlocks(rb, p.tf, p.value.([]any))
				continue
			}
			rb.SetAttributeRaw(p.tf, tfPropTokens(p))
		}
		if r.retain {
			rb.AppendNewline()
			rb.AppendNewBlock("lifecycle", nil).Body().SetAttributeValue("prevent_destroy", cty.True)
		}
	}
	return hclwrite.Format(f.Bytes()), nil
}

// tfTokens is the HCL expression of v: literals, tuples, objects (keys in
// order), and references to other resources and to the account.
func tfTokens(v any) hclwrite.Tokens {
	switch x := v.(type) {
	case string:
		return hclwrite.TokensForValue(cty.StringVal(x))
	case int:
		return hclwrite.TokensForValue(cty.NumberIntVal(int64(x)))
	case bool:
		return hclwrite.TokensForValue(cty.BoolVal(x))
	case ref:
		return traversal(x.to.typ.tf, x.to.tfID, x.attr)
	case deployedSNSPrincipal:
		return hclwrite.TokensForFunctionCall("format", hclwrite.TokensForValue(cty.StringVal("sns.%s.amazonaws.com")),
			traversal("data", "aws_region", "current", "region"))
	case accountID:
		return traversal("data", "aws_caller_identity", "current", "account_id")
	case accountRoot:
		return hclwrite.TokensForFunctionCall("format", hclwrite.TokensForValue(cty.StringVal("arn:%s:iam::%s:root")),
			traversal("data", "aws_partition", "current", "partition"), traversal("data", "aws_caller_identity", "current", "account_id"))
	case []any:
		elems := make([]hclwrite.Tokens, len(x))
		for i, e := range x {
			elems[i] = tfTokens(e)
		}
		return hclwrite.TokensForTuple(elems)
	case map[string]any:
		attrs := make([]hclwrite.ObjectAttrTokens, 0, len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			name := hclwrite.TokensForValue(cty.StringVal(k))
			if hclsyntax.ValidIdentifier(k) && k != "for" { // "for" first in an object starts a for expression
				name = hclwrite.TokensForIdentifier(k)
			}
			attrs = append(attrs, hclwrite.ObjectAttrTokens{Name: name, Value: tfTokens(x[k])})
		}
		return hclwrite.TokensForObject(attrs)
	}
	panic(fmt.Sprintf("iac: no HCL form for %T", v)) // the builders make only the types above
}

// appendBlocks writes each element of blocks, a map of attributes, as a
// nested block named name, its attributes in key order, after a blank line.
func appendBlocks(body *hclwrite.Body, name string, blocks []any) {
	body.AppendNewline()
	for _, b := range blocks {
		attrs := b.(map[string]any)
		nested := body.AppendNewBlock(name, nil).Body()
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			nested.SetAttributeRaw(k, tfTokens(attrs[k]))
		}
	}
}

// oneLine replaces the control characters of s, line breaks among them,
// with spaces, so that s fits in a line comment.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func traversal(root string, attrs ...string) hclwrite.Tokens {
	t := hcl.Traversal{hcl.TraverseRoot{Name: root}}
	for _, a := range attrs {
		t = append(t, hcl.TraverseAttr{Name: a})
	}
	return hclwrite.TokensForTraversal(t)
}
