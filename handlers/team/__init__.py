"""The team: members and roles, invitations."""
