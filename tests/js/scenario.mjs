// One IAM + STS scenario through the AWS SDK for JavaScript v3 against iamconsole.
// Env: ENDPOINT (http://host:port), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
// Prints one JSON object with what it saw; exits non-zero on any unexpected failure.
import {
  IAMClient, CreateUserCommand, GetUserCommand, ListUsersCommand, CreateGroupCommand,
  AddUserToGroupCommand, GetGroupCommand, CreatePolicyCommand, AttachGroupPolicyCommand,
  ListAttachedGroupPoliciesCommand, TagUserCommand, ListUserTagsCommand,
  CreateRoleCommand, CreateInstanceProfileCommand, AddRoleToInstanceProfileCommand,
  GetInstanceProfileCommand, DeleteUserCommand,
} from "@aws-sdk/client-iam";
import { STSClient, GetCallerIdentityCommand, AssumeRoleCommand } from "@aws-sdk/client-sts";

const endpoint = process.env.ENDPOINT;
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
};
const common = { region: "us-east-1", credentials, maxAttempts: 1 };
const iam = new IAMClient({ ...common, endpoint: `${endpoint}/aws/iam/` });
const sts = new STSClient({ ...common, endpoint: `${endpoint}/aws/sts/` });
const out = {};

const who = await sts.send(new GetCallerIdentityCommand({}));
out.callerArn = who.Arn;
out.account = who.Account;

const user = await iam.send(new CreateUserCommand({
  UserName: "js-user", Path: "/js/", Tags: [{ Key: "team", Value: "web" }],
}));
out.userArn = user.User.Arn;
out.createDateIsDate = user.User.CreateDate instanceof Date;
out.got = (await iam.send(new GetUserCommand({ UserName: "js-user" }))).User.UserName;
out.listed = (await iam.send(new ListUsersCommand({ PathPrefix: "/js/" }))).Users
  .map((u) => u.UserName);
await iam.send(new TagUserCommand({ UserName: "js-user", Tags: [{ Key: "cost", Value: "42" }] }));
out.tags = (await iam.send(new ListUserTagsCommand({ UserName: "js-user" }))).Tags;

await iam.send(new CreateGroupCommand({ GroupName: "js-group" }));
await iam.send(new AddUserToGroupCommand({ GroupName: "js-group", UserName: "js-user" }));
out.members = (await iam.send(new GetGroupCommand({ GroupName: "js-group" }))).Users
  .map((u) => u.UserName);
const policy = await iam.send(new CreatePolicyCommand({
  PolicyName: "js-policy",
  PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [
    { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/*" }] }),
}));
out.policyArn = policy.Policy.Arn;
await iam.send(new AttachGroupPolicyCommand({ GroupName: "js-group", PolicyArn: policy.Policy.Arn }));
out.attached = (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: "js-group" })))
  .AttachedPolicies.map((p) => p.PolicyName);

const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${who.Account}:root` }, Action: "sts:AssumeRole" }] });
const role = await iam.send(new CreateRoleCommand({ RoleName: "js-role",
  AssumeRolePolicyDocument: trust }));
out.roleArn = role.Role.Arn;
await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "js-profile" }));
await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "js-profile",
  RoleName: "js-role" }));
out.profileRoles = (await iam.send(new GetInstanceProfileCommand({
  InstanceProfileName: "js-profile" }))).InstanceProfile.Roles.map((r) => r.RoleName);

const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role.Role.Arn,
  RoleSessionName: "js-session", DurationSeconds: 900 }));
out.assumedArn = assumed.AssumedRoleUser.Arn;
out.expirationIsDate = assumed.Credentials.Expiration instanceof Date;

try {
  await iam.send(new GetUserCommand({ UserName: "nobody" }));
  out.missing = "no error";
} catch (error) {
  out.missing = { name: error.name, status: error.$metadata.httpStatusCode };
}
try {
  await iam.send(new DeleteUserCommand({ UserName: "js-user" }));
  out.deleteConflict = "no error";
} catch (error) {
  out.deleteConflict = { name: error.name, status: error.$metadata.httpStatusCode };
}
console.log(JSON.stringify(out));
