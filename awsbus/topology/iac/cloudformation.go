package iac

import (
	"bytes"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

// CloudFormation's limits on a template: the length of its Description
// and the number of resources one stack declares.
const (
	maxDescription = 1024
	maxResources   = 500
)

// CloudFormation's limits on the size of a template, in bytes.
const (
	// MaxTemplateBody is the largest template CloudFormation takes inline
	// (TemplateBody; aws cloudformation deploy --template-file without
	// --s3-bucket). A larger one must be uploaded to S3 and passed by its
	// URL (TemplateURL, --template-url).
	MaxTemplateBody = 51_200
	// MaxTemplateSize is the largest template CloudFormation takes at all,
	// from S3. CloudFormation refuses a larger one.
	MaxTemplateSize = 1_000_000
)

// CloudFormation renders the union of plans as one CloudFormation template
// (YAML). Deploying it creates what topology.ProvisionCreate would, so
// services started with topology.ProvisionValidate find no drift. A
// template of more than 500 resources or MaxTemplateSize bytes, which
// CloudFormation refuses, is an error; one of more than MaxTemplateBody
// bytes is rendered, and must be deployed from S3.
func CloudFormation(plans ...topology.Plan) ([]byte, error) {
	s, list, err := render(plans)
	if err != nil {
		return nil, err
	}
	if len(list) > maxResources {
		return nil, fmt.Errorf("iac: the template would declare %d resources, and CloudFormation refuses a stack of more "+
			"than %d: render the services as Terraform, which has no such limit", len(list), maxResources)
	}
	resources := make(map[string]any, len(list))
	for _, r := range list {
		props := map[string]any{}
		for _, p := range r.props {
			if p.cfn != "" {
				props[p.cfn] = cfnValue(p.value)
			}
		}
		res := map[string]any{"Type": r.typ.cfn, "Properties": props}
		if r.retain {
			res["DeletionPolicy"], res["UpdateReplacePolicy"] = "Retain", "Retain"
		}
		resources[r.cfnID] = res
	}
	doc := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              description(s.services),
		"Resources":                resources,
	}
	if conds := cfnConditions(list); conds != nil {
		doc["Conditions"] = conds
	}
	out, err := encodeYAML(doc)
	if err == nil && len(out) > MaxTemplateSize {
		return nil, fmt.Errorf("iac: the template would be %d bytes, and CloudFormation refuses a template of more than "+
			"%d bytes, even from S3: render the services as Terraform, which has no such limit", len(out), MaxTemplateSize)
	}
	return out, err
}

// render merges plans and builds their resources, for either language.
func render(plans []topology.Plan) (system, []*resource, error) {
	s, err := newSystem(plans)
	if err != nil {
		return system{}, nil, err
	}
	list, err := build(s)
	return s, list, err
}

// description names the services, or counts them past CloudFormation's
// limit.
func description(services []string) string {
	d := "SourceFlow topology of " + strings.Join(services, ", ")
	if len(d) > maxDescription {
		d = fmt.Sprintf("SourceFlow topology of %d services", len(services))
	}
	return d
}

// cfnValue resolves references into intrinsic functions: a queue's ARN
// is Fn::GetAtt Arn and its URL Ref, a topic's ARN is Ref, a key's ARN
// Fn::GetAtt Arn and its id Ref; a value of the deployed region's kind
// into Fn::If on its condition.
func cfnValue(v any) any {
	switch x := v.(type) {
	case ref:
		if x.attr == "arn" && x.to.typ != snsTopic {
			return map[string]any{"Fn::GetAtt": []any{x.to.cfnID, "Arn"}}
		}
		return map[string]any{"Ref": x.to.cfnID}
	case inRegion:
		return map[string]any{"Fn::If": []any{regionCondition(x.region), cfnValue(x.value), map[string]any{"Ref": "AWS::NoValue"}}}
	case inOptInRegion:
		return map[string]any{"Fn::If": []any{optInCondition, cfnValue(x.in), cfnValue(x.out)}}
	case deployedSNSPrincipal:
		return map[string]any{"Fn::Sub": "sns.${AWS::Region}.amazonaws.com"}
	case accountID:
		return map[string]any{"Ref": "AWS::AccountId"}
	case accountRoot:
		return map[string]any{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cfnValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cfnValue(e)
		}
		return out
	}
	return v
}

// encodeYAML writes doc indented by two spaces, keys in order.
func encodeYAML(doc any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
