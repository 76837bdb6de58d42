// deploy/aws/template.yaml, checked twice without an AWS account:
//  1. cfn-lint (npm) — its bundled resource specification dates from 2019, so
//     it does not know HTTP API payload 2.0, on-demand Kinesis, Lambda
//     architectures or Firehose dynamic partitioning. A finding of its is
//     accepted only when it is of a "stale specification" kind AND the
//     current specification (@aws-cdk/cfnspec) contradicts it; anything else
//     fails the test.
//  2. A structural validator over @aws-cdk/cfnspec: resource types,
//     properties (recursively through property types), required properties,
//     Ref / Fn::GetAtt / Fn::Sub targets, DependsOn.
// Both are shown to reject a broken copy of the template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cfnspec = require('@aws-cdk/cfnspec');
const cfnLint = require('cfn-lint');
const { openFile } = require('cfn-lint/lib/parser');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TEMPLATE = path.join(ROOT, 'deploy', 'aws', 'template.yaml');
const SPEC = cfnspec.specification();
const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);
// Properties CloudFormation has gained since the installed @aws-cdk/cfnspec
// (cfn.version 117.0.0) was published; each is listed in CloudFormation's
// template reference at the URL given.
const NEWER_THAN_CFNSPEC = {
  'AWS::KinesisFirehose::DeliveryStream.ExtendedS3DestinationConfiguration': {
    FileExtension: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-kinesisfirehose-deliverystream-extendeds3destinationconfiguration.html',
  },
};
const LINT_PARAMETERS = { CodeBucket: 'mailpulse-artifacts', SendGridPublicKey: 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE' };

function isIntrinsic(v) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition');
}

function propertySpec(resourceType, typeName) {
  if (typeName === undefined) return SPEC.ResourceTypes[resourceType];
  return SPEC.PropertyTypes[`${resourceType}.${typeName}`] || SPEC.PropertyTypes[typeName];
}

function knownProperty(def, owner, name) {
  return Boolean((def.Properties && name in def.Properties) || (NEWER_THAN_CFNSPEC[owner] && name in NEWER_THAN_CFNSPEC[owner]));
}

// Properties of `value` against spec entry `def` (a resource or property type).
function checkProperties(errors, where, resourceType, def, value, owner = resourceType) {
  if (isIntrinsic(value)) return;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    errors.push(`${where}: expected an object`);
    return;
  }
  const props = def.Properties || {};
  for (const [name, p] of Object.entries(props)) {
    if (p.Required && !(name in value)) errors.push(`${where}: required property ${name} missing`);
  }
  for (const [name, v] of Object.entries(value)) {
    const p = props[name];
    if (!p) {
      if (!knownProperty(def, owner, name)) errors.push(`${where}: unknown property ${name}`);
      continue;
    }
    const here = `${where}.${name}`;
    if (isIntrinsic(v)) continue;
    if (p.Type === 'List' || p.Type === 'Map') {
      if (!p.ItemType) continue;  // primitive items
      const itemDef = propertySpec(resourceType, p.ItemType);
      const items = p.Type === 'List' ? v : Object.values(v || {});
      if (!Array.isArray(items)) {
        if (!isIntrinsic(items)) errors.push(`${here}: expected a ${p.Type}`);
        continue;
      }
      items.forEach((item, i) => checkProperties(errors, `${here}[${i}]`, resourceType, itemDef, item,
        `${resourceType}.${p.ItemType}`));
    } else if (p.Type) {
      checkProperties(errors, here, resourceType, propertySpec(resourceType, p.Type), v, `${resourceType}.${p.Type}`);
    }
  }
}

function subReferences(text) {
  const out = [];
  for (const m of text.matchAll(/\$\{([^}]*)\}/g)) if (!m[1].startsWith('!')) out.push(m[1].trim());
  return out;
}

export function validateTemplate(tpl) {
  const errors = [];
  const resources = tpl.Resources || {};
  const parameters = tpl.Parameters || {};
  if (!Object.keys(resources).length) errors.push('no Resources');
  const typeOf = (name) => resources[name] && resources[name].Type;

  const checkRef = (where, name) => {
    if (!(name in parameters) && !(name in resources) && !PSEUDO.has(name)) {
      errors.push(`${where}: Ref ${name} names no parameter, resource or pseudo parameter`);
    }
  };
  const checkGetAtt = (where, res, attr) => {
    const type = typeOf(res);
    if (!type) return errors.push(`${where}: Fn::GetAtt ${res}.${attr}: no resource ${res}`);
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return undefined;
    const def = SPEC.ResourceTypes[type];
    if (def && !(def.Attributes && attr in def.Attributes)) {
      errors.push(`${where}: Fn::GetAtt ${res}.${attr}: ${type} has no attribute ${attr}`);
    }
    return undefined;
  };
  const walk = (where, v) => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(`${where}[${i}]`, x));
    if (!v || typeof v !== 'object') return undefined;
    for (const [k, x] of Object.entries(v)) {
      if (k === 'Ref') {
        if (typeof x !== 'string') errors.push(`${where}: Ref is not a string`);
        else checkRef(where, x);
      } else if (k === 'Fn::GetAtt') {
        const [res, ...rest] = Array.isArray(x) ? x : String(x).split('.');
        checkGetAtt(where, res, rest.join('.'));
      } else if (k === 'Fn::Sub') {
        const [text, vars] = Array.isArray(x) ? x : [x, {}];
        if (typeof text !== 'string') errors.push(`${where}: Fn::Sub without a string`);
        else {
          for (const ref of subReferences(text)) {
            if (vars && ref in vars) continue;
            const dot = ref.indexOf('.');
            if (dot > 0 && !ref.startsWith('AWS::')) checkGetAtt(where, ref.slice(0, dot), ref.slice(dot + 1));
            else checkRef(where, ref);
          }
        }
        if (vars) walk(`${where}.Fn::Sub`, vars);
      } else {
        walk(`${where}.${k}`, x);
      }
    }
    return undefined;
  };

  for (const [name, r] of Object.entries(resources)) {
    const where = `Resources.${name}`;
    const def = SPEC.ResourceTypes[r.Type];
    if (!def) {
      if (!String(r.Type).startsWith('Custom::')) errors.push(`${where}: unknown resource type ${r.Type}`);
    } else {
      checkProperties(errors, `${where}.Properties`, r.Type, def, r.Properties || {});
    }
    for (const dep of [].concat(r.DependsOn || [])) {
      if (!(dep in resources)) errors.push(`${where}: DependsOn ${dep} names no resource`);
    }
    walk(where, r.Properties || {});
  }
  walk('Outputs', tpl.Outputs || {});
  walk('Conditions', tpl.Conditions || {});
  return errors;
}

// cfn-lint findings the 2019 specification produces and the current one
// refutes; null when the finding stands.
function staleSpecExplanation(message, tpl) {
  let m;
  const resources = tpl.Resources || {};
  if ((m = message.match(/^(\w+) is not a valid property of ([\w:.]+)$/))) {
    const [, prop, owner] = m;
    const def = owner.includes('.') ? SPEC.PropertyTypes[owner] : SPEC.ResourceTypes[owner];
    return def && knownProperty(def, owner, prop) ? `${owner}.${prop} exists in cfnspec or its documented successors` : null;
  }
  if ((m = message.match(/^Required property (\w+) missing for type ([\w:.]+)$/))) {
    const [, prop, owner] = m;
    const def = owner.includes('.') ? SPEC.PropertyTypes[owner] : SPEC.ResourceTypes[owner];
    return def && def.Properties && def.Properties[prop] && !def.Properties[prop].Required
      ? `${owner}.${prop} is optional in cfnspec` : null;
  }
  if ((m = message.match(/^No such attribute (\w+) on ([\w:]+)$/))) {
    const def = SPEC.ResourceTypes[m[2]];
    return def && def.Attributes && m[1] in def.Attributes ? `${m[2]}.${m[1]} exists in cfnspec` : null;
  }
  if ((m = message.match(/^Intrinsic Sub does not reference a valid resource, attribute nor mapping '(\w+)\.(\w+)'\.$/))) {
    const type = resources[m[1]] && resources[m[1]].Type;
    const def = type && SPEC.ResourceTypes[type];
    return def && def.Attributes && m[2] in def.Attributes ? `${type}.${m[2]} exists in cfnspec` : null;
  }
  return null;
}

function lint(tpl) {
  cfnLint.resetValidator?.();
  const result = cfnLint.validateJsonObject(structuredClone(tpl), { parameters: LINT_PARAMETERS });
  const unexplained = [];
  const explained = [];
  for (const e of result.errors.crit) {
    const why = staleSpecExplanation(e.message, tpl);
    (why ? explained : unexplained).push(`${e.resource}: ${e.message}${why ? ` (${why})` : ''}`);
  }
  return { result, unexplained, explained };
}

const template = openFile(TEMPLATE);

test('every resource, property, Ref and GetAtt of the template is in the CloudFormation specification', () => {
  assert.deepEqual(validateTemplate(template), []);
});

test('the template has the pipeline the issue asks for', () => {
  const byType = {};
  for (const [name, r] of Object.entries(template.Resources)) (byType[r.Type] ||= []).push([name, r]);
  const [[, fn]] = byType['AWS::Lambda::Function'];
  assert.equal(fn.Properties.Runtime, 'provided.al2023');
  assert.deepEqual(fn.Properties.Architectures, ['x86_64']);
  assert.equal(fn.Properties.Handler, 'bootstrap');
  assert.ok(fn.Properties.Code.S3Bucket.Ref in template.Parameters);
  const routes = byType['AWS::ApiGatewayV2::Route'].map(([, r]) => r.Properties.RouteKey);
  assert.ok(routes.includes('POST /v1/webhooks/sendgrid'));
  const [[, stage]] = byType['AWS::ApiGatewayV2::Stage'];
  assert.equal(stage.Properties.StageName, '$default');
  assert.equal(stage.Properties.AutoDeploy, true);
  // The event stream and the error output's stream, both on demand, named in
  // the function's MAILPULSE_STREAM.
  const streams = byType['AWS::Kinesis::Stream'].map(([name]) => name).sort();
  assert.deepEqual(streams, ['EventStream', 'RejectStream']);
  for (const [, s] of byType['AWS::Kinesis::Stream']) assert.equal(s.Properties.StreamModeDetails.StreamMode, 'ON_DEMAND');
  assert.equal(fn.Properties.Environment.Variables.MAILPULSE_STREAM['Fn::Sub'],
    'kinesis://${EventStream}?region=${AWS::Region}&errors_stream=${RejectStream}');
  const firehoses = Object.fromEntries(byType['AWS::KinesisFirehose::DeliveryStream']);
  const firehose = firehoses.LakeDelivery;
  assert.deepEqual(firehose.Properties.KinesisStreamSourceConfiguration.KinesisStreamARN, { 'Fn::GetAtt': ['EventStream', 'Arn'] });
  const rejects = firehoses.RejectDelivery.Properties;
  assert.deepEqual(rejects.KinesisStreamSourceConfiguration.KinesisStreamARN, { 'Fn::GetAtt': ['RejectStream', 'Arn'] });
  assert.equal(rejects.ExtendedS3DestinationConfiguration.Prefix, 'errors/rejected/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/');
  assert.equal(firehose.Properties.DeliveryStreamType, 'KinesisStreamAsSource');
  const s3 = firehose.Properties.ExtendedS3DestinationConfiguration;
  assert.equal(s3.CompressionFormat, 'GZIP');
  assert.equal(s3.FileExtension, '.json.gz');  // src/query/lake_scan.cc FormatForKey reads it by name
  // src/delivery/delivery_service.h kDefaultLakePrefix / kDefaultLakeErrorPrefix
  assert.equal(s3.Prefix, 'events/event_type=!{partitionKeyFromQuery:event_type}/campaign=!{partitionKeyFromQuery:campaign}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/');
  assert.equal(s3.ErrorOutputPrefix, 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/');
  assert.equal(s3.DynamicPartitioningConfiguration.Enabled, true);
  const jq = s3.ProcessingConfiguration.Processors.find((p) => p.Type === 'MetadataExtraction');
  assert.match(jq.Parameters.find((p) => p.ParameterName === 'MetadataExtractionQuery').ParameterValue, /event_type:.*campaign:/);
  const [[, bucket]] = byType['AWS::S3::Bucket'];
  assert.ok(bucket.Properties.BucketEncryption);
  assert.deepEqual(Object.values(bucket.Properties.PublicAccessBlockConfiguration), [true, true, true, true]);
  assert.ok(bucket.Properties.LifecycleConfiguration.Rules.length > 0);
  assert.ok(template.Outputs.WebhookUrl.Value['Fn::Sub'].includes('/v1/webhooks/sendgrid'));

  // Least privilege: the Lambda may only put to its two streams (and look at
  // them at start-up: DescribeStreamSummary, ListShards) and write its logs.
  const lambdaRole = template.Resources[fn.Properties.Role['Fn::GetAtt'][0]];
  const statements = lambdaRole.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement);
  const actions = statements.flatMap((s) => s.Action).sort();
  assert.deepEqual(actions, ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord',
    'kinesis:PutRecords', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  const kinesisStatement = statements.find((s) => s.Action.includes('kinesis:PutRecords'));
  assert.deepEqual(kinesisStatement.Resource, [{ 'Fn::GetAtt': ['EventStream', 'Arn'] }, { 'Fn::GetAtt': ['RejectStream', 'Arn'] }]);
  for (const s of statements) assert.notEqual(JSON.stringify(s.Resource), '"*"');
});

test('cfn-lint finds nothing but its own stale specification', () => {
  const { result, unexplained, explained } = lint(template);
  assert.deepEqual(unexplained, []);
  assert.ok(explained.length > 0, 'cfn-lint ran and reported its known gaps');
  assert.equal(result.errors.crit.length, explained.length);

  // The command line reports the same findings (exit 1: "Template invalid!").
  const run = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cfn-lint'),
    ['validate', TEMPLATE, '--parameters', Object.entries(LINT_PARAMETERS).map(([k, v]) => `${k}=${v}`).join(',')],
    { encoding: 'utf8', timeout: 60000 });
  // eslint-disable-next-line no-control-regex
  const text = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  const messages = [...text.matchAll(/^Message: (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(messages.sort(), result.errors.crit.map((e) => e.message).sort(), text);
});

test('a broken copy of the template is rejected by both checks', () => {
  const broken = structuredClone(template);
  broken.Resources.EventStream.Properties.ShardCountt = 2;                     // unknown property
  broken.Resources.WebhookIntegration.Properties.ApiId = { Ref: 'NoSuchApi' };  // dangling Ref
  broken.Resources.WebhookRoute.Properties.Target = { 'Fn::Sub': 'integrations/${Missing}' };
  broken.Resources.WebhookFunction.Properties.Role = { 'Fn::GetAtt': ['WebhookRole', 'Nope'] };
  delete broken.Resources.LakeDelivery.Properties.ExtendedS3DestinationConfiguration.BucketARN;
  broken.Resources.LakeDelivery.Properties.ExtendedS3DestinationConfiguration.BufferingHints.SizeInMb = 1;
  broken.Resources.Extra = { Type: 'AWS::NoSuch::Thing', Properties: {} };
  const errors = validateTemplate(broken).join('\n');
  assert.match(errors, /unknown property ShardCountt/);
  assert.match(errors, /Ref NoSuchApi/);
  assert.match(errors, /Ref Missing/);
  assert.match(errors, /WebhookRole\.Nope/);
  assert.match(errors, /required property BucketARN missing/);
  assert.match(errors, /BufferingHints: unknown property SizeInMb/);
  assert.match(errors, /unknown resource type AWS::NoSuch::Thing/);

  const lintBroken = structuredClone(template);
  lintBroken.Resources.EventStream.Properties.ShardCountt = 2;
  lintBroken.Resources.WebhookIntegration.Properties.ApiId = { Ref: 'NoSuchApi' };
  const { unexplained } = lint(lintBroken);
  assert.ok(unexplained.some((e) => /ShardCountt/.test(e)), unexplained.join('\n'));
  assert.ok(unexplained.some((e) => /NoSuchApi/.test(e)), unexplained.join('\n'));
});
