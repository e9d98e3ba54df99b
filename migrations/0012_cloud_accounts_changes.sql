-- Every change to what a call uses of a cloud account is announced on the channel
-- polar_cloud_accounts, whoever makes it (a console process, the command line, by hand), so
-- that each console process forgets the accounts and secrets it keeps in memory (vault.rs).
-- last_used_at and the bookkeeping times are not announced.
CREATE FUNCTION cloud_accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('polar_cloud_accounts', '');
    RETURN NULL;
END $$;

CREATE TRIGGER cloud_accounts_changed
    AFTER INSERT OR DELETE OR UPDATE OF name, access_key_id, secret_ciphertext, secret_nonce,
        key_id, regions, signature_version, endpoint, emulator, enabled
    ON cloud_accounts FOR EACH STATEMENT EXECUTE FUNCTION cloud_accounts_changed();

CREATE TRIGGER cloud_accounts_truncated
    AFTER TRUNCATE ON cloud_accounts FOR EACH STATEMENT EXECUTE FUNCTION cloud_accounts_changed();
