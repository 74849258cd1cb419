"""AWS Organizations' error codes (botocore's `organizations` model), each HTTP 400 as AWS
answers them. `reason` is the model's Reason member where the error has one
(InvalidInputException, ConstraintViolationException)."""

from __future__ import annotations

from iamconsole.iam.errors import ClientError


class OrganizationsError(ClientError):
    status = 400
    message_default = ""

    def __init__(self, message: str | None = None, *, reason: str = "", **kwargs) -> None:
        super().__init__(message or self.message_default, **kwargs)
        self.reason = reason

    def as_dict(self) -> dict:
        data = super().as_dict()
        if self.reason:
            data["reason"] = self.reason
        return data


def _error(code: str, message: str) -> type[OrganizationsError]:
    return type(code, (OrganizationsError,), {"code": code, "message_default": message,
                                             "__module__": __name__, "__qualname__": code})


AccessDeniedException = _error(
    "AccessDeniedException", "You don't have permissions to access this resource.")
AWSOrganizationsNotInUseException = _error(
    "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
AlreadyInOrganizationException = _error(
    "AlreadyInOrganizationException",
    "The provided account is already a member of an organization.")
OrganizationNotEmptyException = _error(
    "OrganizationNotEmptyException",
    "To delete an organization you must first remove all member accounts (except the "
    "master).")
AccountNotFoundException = _error(
    "AccountNotFoundException",
    "We can't find an AWS account with the AccountId that you specified, or the account "
    "whose credentials you used to make this request isn't a member of an organization.")
ChildNotFoundException = _error(
    "ChildNotFoundException",
    "We can't find an organizational unit (OU) or AWS account with the ChildId that you "
    "specified.")
ParentNotFoundException = _error(
    "ParentNotFoundException", "We can't find a root or OU with the ParentId that you "
    "specified.")
SourceParentNotFoundException = _error(
    "SourceParentNotFoundException",
    "We can't find a source root or OU with the ParentId that you specified.")
DestinationParentNotFoundException = _error(
    "DestinationParentNotFoundException",
    "We can't find the destination container (a root or OU) with the ParentId that you "
    "specified.")
DuplicateAccountException = _error(
    "DuplicateAccountException", "That account is already present in the specified "
    "destination.")
OrganizationalUnitNotFoundException = _error(
    "OrganizationalUnitNotFoundException",
    "We can't find an OU with the OrganizationalUnitId that you specified.")
OrganizationalUnitNotEmptyException = _error(
    "OrganizationalUnitNotEmptyException",
    "The specified OU is not empty. Move all accounts to another root or to other OUs, "
    "remove all child OUs, and try the operation again.")
DuplicateOrganizationalUnitException = _error(
    "DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
RootNotFoundException = _error(
    "RootNotFoundException", "We can't find a root with the RootId that you specified.")
TargetNotFoundException = _error(
    "TargetNotFoundException",
    "We can't find a root, OU, account, or policy with the TargetId that you specified.")
PolicyNotFoundException = _error(
    "PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")
DuplicatePolicyException = _error(
    "DuplicatePolicyException", "A policy with the same name already exists.")
DuplicatePolicyAttachmentException = _error(
    "DuplicatePolicyAttachmentException",
    "The selected policy is already attached to the specified target.")
PolicyNotAttachedException = _error(
    "PolicyNotAttachedException",
    "The policy isn't attached to the specified target in the specified root.")
PolicyInUseException = _error(
    "PolicyInUseException",
    "The policy is attached to one or more entities. You must detach it from all roots, OUs, "
    "and accounts before performing this operation.")
PolicyTypeAlreadyEnabledException = _error(
    "PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
PolicyTypeNotEnabledException = _error(
    "PolicyTypeNotEnabledException",
    "The specified policy type isn't currently enabled in this root. You can't attach "
    "policies of the specified type to entities in a root until you enable that type in the "
    "root.")
PolicyTypeNotAvailableForOrganizationException = _error(
    "PolicyTypeNotAvailableForOrganizationException",
    "You can't use the specified policy type with the feature set currently enabled for this "
    "organization.")
MalformedPolicyDocumentException = _error(
    "MalformedPolicyDocumentException",
    "The provided policy document doesn't meet the requirements of the specified policy "
    "type.")
CreateAccountStatusNotFoundException = _error(
    "CreateAccountStatusNotFoundException",
    "We can't find an create account request with the CreateAccountRequestId that you "
    "specified.")
EffectivePolicyNotFoundException = _error(
    "EffectivePolicyNotFoundException",
    "We can't find an effective policy of the specified type for the specified target.")
ConstraintViolationException = _error(
    "ConstraintViolationException",
    "Performing this operation violates a minimum or maximum value limit.")
MasterCannotLeaveOrganizationException = _error(
    "MasterCannotLeaveOrganizationException",
    "You can't remove a management account from an organization. If you want the management "
    "account to become a member account in another organization, you must first delete the "
    "current organization of the management account.")
ConcurrentModificationException = _error(
    "ConcurrentModificationException",
    "AWS Organizations can't complete your request because it conflicts with another attempt "
    "to modify the same entity. Try again later.")
InvalidInputException = _error("InvalidInputException", "You specified an invalid value.")
