extension Migration {
    /// Every update or delete of a user row sends its id on `user_changed`, at commit: the gateway's
    /// session cache (`SessionUserCache`) drops the user as soon as it hears it, so signing out
    /// everywhere or blocking an account takes effect whatever wrote the change (the backend, studioctl,
    /// or SQL by hand).
    static let m0009UserChanges = Migration(
        version: 9, name: "user_change_notifications",
        statements: [
            """
            CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('user_changed', OLD.id::text);
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users
                FOR EACH ROW EXECUTE FUNCTION notify_user_changed()
            """,
        ])
}
