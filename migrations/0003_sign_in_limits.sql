-- Failed local sign-ins, for rate limiting across every console process.
CREATE TABLE sign_in_failures (
    id          bigserial PRIMARY KEY,
    username    text NOT NULL,
    client_addr text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_user ON sign_in_failures (username, at);
CREATE INDEX sign_in_failures_addr ON sign_in_failures (client_addr, at);
