extension AppError {
    /// A file that is still being checked (409 `file_not_ready`) or did not pass (409 `file_rejected`).
    public static func fileNotReady(_ status: StoredFile.Status) -> AppError {
        AppError(
            code: status == .rejected ? "file_rejected" : "file_not_ready", status: .conflict,
            message: status == .rejected
                ? "This file did not pass our checks and cannot be downloaded."
                : "The file is still being checked. Try again in a moment.",
            messageAr: status == .rejected
                ? "لم يجتز هذا الملف الفحص ولا يمكن تنزيله." : "ما زال الملف قيد الفحص. حاول بعد لحظات.")
    }
}
