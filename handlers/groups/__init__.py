"""The team's group chat: /bind, /unbind and what it subscribes to."""
