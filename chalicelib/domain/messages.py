"""Human wording, in Vietnamese and English, for every stable error code.

Codes never change once clients see them; wording may. `{name}` placeholders take the
error's parameters.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Problem titles and details
    "malformed_request": ("Yêu cầu không hợp lệ", "Malformed request"),
    "body_too_large": ("Nội dung yêu cầu quá lớn (tối đa {max} byte).",
                       "The request body is too large (max {max} bytes)."),
    "malformed_json": ("Nội dung yêu cầu không phải JSON hợp lệ.", "The request body is not valid JSON."),
    "body_not_object": ("Nội dung yêu cầu phải là một đối tượng JSON.", "The request body must be a JSON object."),
    "body_empty": ("Yêu cầu không có nội dung.", "The request has no body."),
    "bad_cursor": ("Con trỏ phân trang không hợp lệ.", "The pagination cursor is not valid."),
    "bad_request_value": ("Một giá trị trong yêu cầu không được chấp nhận.",
                          "A value in the request was not accepted."),
    "bad_header": ("Một tiêu đề của yêu cầu không hợp lệ.", "A request header is not valid."),
    "bad_query": ("Tham số truy vấn không hợp lệ.", "A query parameter is not valid."),
    "idempotency_key_required": ("Cần tiêu đề Idempotency-Key (1–128 ký tự).",
                                 "An Idempotency-Key header (1–128 characters) is required."),
    "unauthorized": ("Chưa xác thực", "Not authenticated"),
    "token_missing": ("Thiếu mã truy cập (Authorization: Bearer).", "No bearer token was given."),
    "token_invalid": ("Mã truy cập không hợp lệ hoặc đã hết hạn.", "The token is invalid or has expired."),
    "forbidden": ("Không có quyền", "Forbidden"),
    "role_not_allowed": ("Vai trò của bạn không được thực hiện thao tác này.",
                         "Your role may not perform this action."),
    "not_owner": ("Chỉ người nộp hồ sơ được thực hiện thao tác này.",
                  "Only the applicant may perform this action."),
    "wrong_unit": ("Hồ sơ không thuộc phòng chuyên môn của bạn.", "The dossier is not with your unit."),
    "not_assignee": ("Hồ sơ không được giao cho bạn.", "The dossier is not assigned to you."),
    "wrong_agency": ("Hồ sơ không thuộc cơ quan của bạn.", "The dossier does not belong to your agency."),
    "not_found": ("Không tìm thấy", "Not found"),
    "dossier_not_found": ("Không tìm thấy hồ sơ.", "No such dossier."),
    "procedure_not_found": ("Không tìm thấy thủ tục hành chính.", "No such procedure."),
    "upload_not_found": ("Không tìm thấy tệp tải lên.", "No such upload."),
    "form_not_found": ("Hồ sơ chưa có phiếu này.", "The dossier has no such form yet."),
    "procedure.published_before_announced": ("Ngày công khai không thể trước ngày ký quyết định công bố.",
                                             "The publication day cannot be before the announcing decision."),
    "postal.desk_only": ("Chỉ bộ phận một cửa ghi nhận hồ sơ gửi qua bưu chính.",
                         "Only the one-stop desk records a dossier that came by post."),
    "postal.received_in_future": ("Ngày nhận hồ sơ qua bưu chính không thể sau hôm nay.",
                                  "The day the post delivered the dossier cannot be after today."),
    "provider_not_found": ("Không có cổng thanh toán này.", "No such payment provider."),
    "payment_not_offered": ("Khoản phí của hồ sơ này chưa thanh toán trực tuyến được; vui lòng nộp tại bộ phận "
                            "một cửa.", "This dossier's fee cannot be paid online; please pay at the desk."),
    "payment_gateway_unavailable": ("Cổng thanh toán tạm thời không trả lời; vui lòng thử lại sau.",
                                    "The payment gateway is not answering; please try again later."),
    "reconciliation_date_invalid": ("Ngày đối soát phải là một ngày đã qua hoặc hôm nay (YYYY-MM-DD).",
                                    "The reconciliation date must be today or a past day (YYYY-MM-DD)."),
    "staff_not_found": ("Không có cán bộ này trong danh bạ.", "No such staff member in the directory."),
    "staff_self_change": ("Không ai tự thay đổi quyền hạn của mình; hãy nhờ một quản trị viên khác.",
                          "Nobody changes their own authority; ask another administrator."),
    "account_disabled": ("Tài khoản cán bộ đã bị vô hiệu hóa.", "This staff account is disabled."),
    "staff_exists": ("Cán bộ hoặc tên đăng nhập đã có.", "The staff member or the username already exists."),
    "result_not_found": ("Không tìm thấy kết quả giải quyết này.", "No such result document."),
    "pdf_needs_accept": ("Để nhận tệp PDF, hãy gửi tiêu đề Accept: application/pdf (hoặc */*).",
                         "To get the PDF, send Accept: application/pdf (or */*)."),
    "indicator_not_found": ("Không có chỉ số này.", "No such indicator."),
    "not_acceptable": ("Không thể trả nội dung theo tiêu đề Accept", "Not acceptable"),
    "xlsx_needs_accept": ("Để nhận tệp Excel, hãy gửi tiêu đề Accept: {media_type} (hoặc */*).",
                          "For the Excel file, send Accept: {media_type} (or */*)."),
    "route_not_found": ("Không có tài nguyên này.", "No such resource."),
    "method_not_allowed": ("Phương thức không được hỗ trợ", "Method not allowed"),
    # The problem's `accepted` member names what the route takes (a JSON object, or a PDF).
    "unsupported_media_type": ("Kiểu nội dung không được hỗ trợ; hãy gửi đúng kiểu trong `accepted`.",
                               "Unsupported media type; send one of `accepted`."),
    "conflict": ("Xung đột trạng thái", "State conflict"),
    "transition_not_allowed": ("Không thể thực hiện “{action}” khi hồ sơ ở trạng thái “{status}”.",
                               "Cannot {action} a dossier whose status is {status}."),
    "concurrent_update": ("Hồ sơ vừa được người khác cập nhật; hãy tải lại và thử lại.",
                          "The dossier was changed by someone else; reload and try again."),
    "version_exists": ("Phiên bản thủ tục này đã tồn tại.", "This procedure version already exists."),
    "idempotency_key_reused": ("Idempotency-Key này đã được dùng cho một yêu cầu khác.",
                               "This Idempotency-Key was already used for a different request."),
    "request_in_progress": ("Yêu cầu với Idempotency-Key này đang được xử lý.",
                            "A request with this Idempotency-Key is still being processed."),
    "validation_failed": ("Dữ liệu không hợp lệ", "Validation failed"),
    "validation_detail": ("Có {count} lỗi trong dữ liệu gửi lên.", "The request has {count} invalid field(s)."),
    "upload_verification_failed": ("Tệp tải lên không đạt kiểm tra.", "The uploaded file failed verification."),
    "service_unavailable": ("Dịch vụ tạm thời không sẵn sàng", "Service temporarily unavailable"),
    "service_unavailable_detail": ("Hệ thống đang bận, vui lòng thử lại sau ít phút.",
                                   "The service is busy; please retry in a moment."),
    "internal_error": ("Lỗi hệ thống", "Internal error"),
    "internal_error_detail": ("Đã xảy ra lỗi không mong muốn; mã theo dõi: {correlation_id}.",
                              "An unexpected error occurred; correlation id {correlation_id}."),
    # Field errors: structure
    "field.required": ("Trường này là bắt buộc.", "This field is required."),
    "field.type": ("Kiểu dữ liệu không đúng.", "Wrong type."),
    "field.unknown": ("Trường không được hỗ trợ.", "Unknown field."),
    "field.duplicate": ("“{value}” bị lặp lại.", "“{value}” is listed more than once."),
    "field.too_long": ("Quá dài (tối đa {max}).", "Too long (at most {max})."),
    "field.too_short": ("Quá ngắn (tối thiểu {min}).", "Too short (at least {min})."),
    "field.choice": ("Giá trị phải là một trong: {choices}.", "Must be one of: {choices}."),
    "field.date": ("Ngày không hợp lệ (định dạng YYYY-MM-DD).", "Invalid date (use YYYY-MM-DD)."),
    "field.number": ("Số không hợp lệ.", "Invalid number."),
    "field.range": ("Giá trị ngoài khoảng cho phép.", "Value out of range."),
    "field.invalid": ("Giá trị không hợp lệ.", "Invalid value."),
    "field.control_characters": ("Không được chứa ký tự điều khiển.", "Must not contain control characters."),
    "field.blank": ("Không được để trống.", "Must not be blank."),
    "field.dossier_code": ("Mã hồ sơ không đúng định dạng <mã cơ quan>-<YYMMDD>-<số thứ tự>.",
                           "Not a dossier code (<agency code>-<YYMMDD>-<sequence>)."),
    "field.future_date": ("Ngày không được ở tương lai.", "The date cannot be in the future."),
    # Field errors: applicant identity
    "citizen_id.format": ("Số định danh cá nhân phải gồm đúng 12 chữ số.",
                          "The citizen ID number must be exactly 12 digits."),
    "citizen_id.province": ("Mã tỉnh (3 chữ số đầu) của số định danh không tồn tại.",
                            "The province code (first 3 digits) of the citizen ID does not exist."),
    "citizen_id.century": ("Mã thế kỷ/giới tính (chữ số thứ 4) không hợp lệ.",
                           "The century/gender digit (4th digit) is not valid."),
    "citizen_id.birth_year_future": ("Năm sinh mã hóa trong số định danh (chữ số thứ 5 và 6) là năm chưa tới.",
                                     "The year of birth in the citizen ID (5th and 6th digits) is still to come."),
    "citizen_id.birth_mismatch": ("Số định danh không khớp với năm sinh.",
                                  "The citizen ID does not match the year of birth."),
    "tax_code.format": ("Mã số thuế phải gồm 10 chữ số, hoặc 10 chữ số-3 chữ số cho đơn vị phụ thuộc.",
                        "The tax code must be 10 digits, or 10 digits-3 digits for a branch."),
    "tax_code.checksum": ("Mã số thuế sai chữ số kiểm tra.", "The tax code's check digit is wrong."),
    "phone.format": ("Số điện thoại không hợp lệ.", "Invalid phone number."),
    "email.format": ("Địa chỉ email không hợp lệ.", "Invalid email address."),
    "applicant.type_not_accepted": ("Thủ tục này chỉ nhận hồ sơ của: {accepted}.",
                                    "This procedure only accepts applicants of type: {accepted}."),
    # Field errors: components and uploads
    "component.unknown": ("Thủ tục không có thành phần hồ sơ “{component_id}”.",
                          "The procedure has no component “{component_id}”."),
    "component.duplicate": ("Thành phần “{component_id}” bị khai báo hai lần.",
                            "Component “{component_id}” is listed twice."),
    "component.missing": ("Thiếu thành phần bắt buộc: {name}.", "A required component is missing: {name_en}."),
    "component.no_files": ("Thành phần “{component_id}” chưa có tệp.", "Component “{component_id}” has no file."),
    "upload.not_found": ("Không tìm thấy tệp “{upload_id}”.", "No upload “{upload_id}”."),
    "upload.duplicate": ("Tệp “{upload_id}” được dùng hai lần.", "Upload “{upload_id}” is used twice."),
    "upload.already_attached": ("Tệp “{upload_id}” đã thuộc một hồ sơ khác.",
                                "Upload “{upload_id}” already belongs to a dossier."),
    "upload.not_verified": ("Tệp “{upload_id}” chưa được tải lên hoặc chưa kiểm tra.",
                            "Upload “{upload_id}” has not been uploaded or verified yet."),
    "upload.rejected": ("Tệp “{upload_id}” không đạt kiểm tra; hãy tải lên lại.",
                        "Upload “{upload_id}” failed verification; upload it again."),
    "upload.component_mismatch": ("Tệp “{upload_id}” được tải lên cho thành phần “{component_id}”.",
                                  "Upload “{upload_id}” was made for component “{component_id}”."),
    "upload.missing_object": ("Chưa có tệp nào được tải lên cho mã này.", "Nothing has been uploaded yet."),
    "upload.empty": ("Tệp rỗng.", "The file is empty."),
    # Papers given once (docs/papers.md)
    "paper_not_found": ("Không có giấy tờ này trong kho giấy tờ.", "No such paper in the store."),
    "paper.not_found": ("Không có giấy tờ “{paper_id}” trong kho giấy tờ của người nộp.",
                        "No paper “{paper_id}” in the applicant's store."),
    "paper.duplicate": ("Giấy tờ “{paper_id}” được dùng hai lần.", "Paper “{paper_id}” is used twice."),
    "paper.wrong_type": ("Giấy tờ “{paper_id}” là loại “{type}”, thành phần này cần loại “{expected}”.",
                         "Paper “{paper_id}” is a “{type}”; this component needs a “{expected}”."),
    "paper.not_reusable": ("Giấy tờ “{paper_id}” là tờ khai, đơn lập riêng cho một hồ sơ; hãy lập và tải lên bản "
                           "cho hồ sơ này.", "Paper “{paper_id}” is a form filled in for one dossier; fill in and "
                           "upload one for this dossier."),
    "paper.expired": ("Giấy tờ “{paper_id}” đã hết hiệu lực (đến ngày {valid_until}); hãy tải lên bản mới.",
                      "Paper “{paper_id}” is no longer valid (valid until {valid_until}); upload a new one."),
    "paper.id_number_invalid": ("Không phải số định danh cá nhân (12 chữ số) hay mã số thuế hợp lệ.",
                                "Not a valid citizen ID (12 digits) or tax code."),
    "paper.procedure_with_page": ("Khi lọc theo thủ tục, không dùng thêm “type” hay “cursor”.",
                                  "With `procedure`, `type` and `cursor` are not taken."),
    "file.refused": ("Tệp không được chấp nhận.", "The file is not accepted."),
    "file.type_not_accepted": ("Loại tệp {content_type} không được chấp nhận (chấp nhận: {accepted}).",
                               "File type {content_type} is not accepted (accepted: {accepted})."),
    "file.type_mismatch": ("Nội dung tệp là {detected}, không phải {declared} như đã khai.",
                           "The file content is {detected}, not {declared} as declared."),
    "file.too_large": ("Tệp quá lớn ({size} byte; tối đa {max}).", "The file is too large ({size} bytes; max {max})."),
    "file.size_mismatch": ("Kích thước tệp ({size}) khác với kích thước đã khai ({declared}).",
                           "The file size ({size}) differs from the declared size ({declared})."),
    "file.malformed": ("Tệp bị hỏng hoặc không đúng định dạng đã khai; hãy xuất hoặc quét lại rồi tải lên.",
                       "The file is damaged or not a well-formed file of its type; export or scan it again."),
    "file.polyglot": ("Tệp đồng thời chứa một loại tệp khác (trang web, mã lệnh hoặc tệp nén) nên không được "
                      "nhận; hãy lưu lại tệp gốc rồi tải lên.",
                      "The file also contains another kind of file (a web page, a script or an archive) and "
                      "cannot be accepted; save the original again and upload that."),
    "file.pdf_active_content": ("Tệp PDF chứa mã lệnh hoặc thao tác tự động (JavaScript, mở chương trình, hành "
                                "động khi mở tệp); hãy dùng chức năng “In ra PDF” rồi tải lên tệp mới.",
                                "The PDF contains scripts or automatic actions (JavaScript, launching a program, "
                                "an action on opening); use “Print to PDF” and upload the new file."),
    "file.pdf_embedded_files": ("Tệp PDF có tệp đính kèm bên trong; hãy tải từng giấy tờ lên riêng.",
                                "The PDF has files embedded in it; upload each document on its own."),
    "file.pdf_encrypted": ("Tệp PDF được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên.",
                           "The PDF is password-protected; remove the password and upload it again."),
    "file.pdf_too_complex": ("Tệp PDF quá lớn hoặc quá phức tạp để kiểm tra (tối đa {max_pages} trang).",
                             "The PDF is too large or too complex to check (at most {max_pages} pages)."),
    "file.image_too_large": ("Ảnh có quá nhiều điểm ảnh (tối đa {max}); hãy giảm độ phân giải rồi tải lên.",
                             "The image has too many pixels (at most {max}); reduce its resolution and upload it."),
    # Field errors: delivery and processing
    "delivery.online_not_offered": ("Thủ tục này không trả kết quả trực tuyến.",
                                    "This procedure does not deliver results online."),
    "delivery.address_required": ("Cần địa chỉ nhận kết quả qua bưu chính.",
                                  "A postal address is required for delivery by post."),
    "supplement.component_missing": ("Chưa bổ sung “{component_id}” theo yêu cầu: {reason}.",
                                     "“{component_id}” was requested and not supplied: {reason}."),
    "specialist.not_in_unit": ("“{specialist}” không phải chuyên viên của phòng {unit}.",
                               "“{specialist}” is not a specialist of unit {unit}."),
    "fee.amount_mismatch": ("Số tiền phải bằng số đã yêu cầu ({requested} đồng).",
                            "The amount must equal the amount requested ({requested} VND)."),
    "result_not_available": ("Kết quả chưa được trả cho Quý vị.", "The result has not been returned to you yet."),
    "apology.date_not_later": ("Ngày hẹn mới phải sau ngày hẹn hiện tại ({due_date}).",
                               "The new appointment date must be after the current one ({due_date})."),
    "apology.date_not_a_future_working_day": ("Ngày hẹn mới phải là một ngày làm việc sau hôm nay.",
                                              "The new appointment date must be a working day after today."),
    "unit.unknown": ("Cơ quan {agency_code} không có phòng chuyên môn “{unit}”.",
                     "Agency {agency_code} has no unit “{unit}”."),
    "agency.not_a_partner": ("“{agency_code}” không phải cơ quan phối hợp liên thông được.",
                             "“{agency_code}” is not an agency a dossier can be sent to."),
    "step_due.not_a_future_working_day": ("Hạn của bước phải là một ngày làm việc từ hôm nay trở đi.",
                                          "The step's due date must be a working day from today on."),
    "search.not_with_incoming": ("Không lọc theo trường này khi xem hồ sơ liên thông được gửi đến.",
                                 "This filter does not apply to dossiers sent here by another agency."),
    "search.range_reversed": ("Ngày kết thúc phải từ ngày {from} trở đi.", "The end date must be on or after {from}."),
    "profile.fixed_by_national_identity": ("Thông tin này lấy từ định danh quốc gia, không sửa ở đây.",
                                           "This comes from the national identity and cannot be changed here."),
    "staff.role_unknown": ("Không có vai trò “{role}”.", "No role “{role}”."),
    "staff.username_taken": ("Tên đăng nhập “{username}” đã được dùng.", "The username “{username}” is taken."),
    "register.period_too_long": ("Sổ theo dõi lập cho tối đa {max_days} ngày.",
                                 "A register covers at most {max_days} days."),
    "register.too_many_dossiers": ("Kỳ này có hơn {max} hồ sơ, quá nhiều cho một tệp {format}; hãy chọn kỳ ngắn "
                                   "hơn (hoặc tệp Excel).",
                                   "More than {max} dossiers in this period for one {format} file; choose a "
                                   "shorter period (or Excel)."),
    "result.signature_invalid": ("Chữ ký số trên tệp kết quả không khớp với nội dung.",
                                 "The result's digital signature does not match its content."),
    "result.signature_modified": ("Tệp kết quả đã bị sửa sau khi ký số.",
                                  "The result was changed after it was signed."),
    "result.signature_untrusted": ("Chữ ký số trên tệp kết quả không thuộc chứng thư số được tin cậy.",
                                   "The result is signed with a certificate the platform does not trust."),
    "result.not_a_readable_pdf": ("Không đọc được tệp kết quả (PDF).", "The result PDF cannot be read."),
    "file.not_a_pdf": ("Nội dung gửi lên không phải tệp PDF đọc được.", "The body is not a readable PDF."),
    "agency.unknown": ("Không có cơ quan “{agency_code}”.", "No agency “{agency_code}”."),
    "feedback_not_found": ("Không tìm thấy phản ánh, kiến nghị này.", "No such feedback."),
    "feedback_staff": ("Cán bộ trả lời phản ánh, kiến nghị; muốn gửi phản ánh, vui lòng gửi với tư cách người dân "
                       "(không đăng nhập tài khoản cán bộ).",
                       "Staff answer feedback; to file some, file it as a member of the public (not signed in as "
                       "staff)."),
    "feedback_contact_required": ("Vui lòng cho biết thư điện tử hoặc số điện thoại để cơ quan liên hệ.",
                                  "Give an email address or a phone number the agency can reach you at."),
    "feedback_dossier_not_yours": ("Không có hồ sơ này trong các hồ sơ của bạn (cần đăng nhập tài khoản đã nộp hồ "
                                   "sơ).", "None of your dossiers has this code (sign in with the account that "
                                   "submitted it)."),
    "feedback_procedure_not_of_agency": ("Thủ tục này không thuộc cơ quan đã chọn.",
                                         "The procedure is not one of the chosen agency's."),
    # Desk queue tickets (docs/queue.md)
    "ticket_not_found": ("Không tìm thấy số thứ tự này.", "No such queue ticket."),
    "queue_empty": ("Hiện không còn ai chờ.", "Nobody is waiting."),
    "queue_desk_only": ("Chỉ cán bộ Bộ phận Một cửa của cơ quan có hàng chờ gọi và phục vụ số thứ tự.",
                        "Only the officers and leaders of an agency with a desk queue call and serve its tickets."),
    "ticket_step_not_allowed": ("Không thể thực hiện “{step}” khi số thứ tự ở trạng thái “{status}”.",
                                "“{step}” is not possible while the ticket is “{status}”."),
    "queue.service_unknown": ("Bộ phận Một cửa không có quầy dịch vụ “{service}”.",
                              "The desk has no service “{service}”."),
    "queue.no_desk_queue": ("Cơ quan “{agency_code}” chưa cấp số thứ tự tại Bộ phận Một cửa.",
                            "Agency “{agency_code}” issues no queue tickets at its desk."),
    "queue.dossier_not_of_agency": ("Cơ quan không có hồ sơ “{code}”.", "The agency has no dossier “{code}”."),
    "metrics.period": ("Kỳ báo cáo là YYYY-Qn, YYYY-MM, YYYY hoặc rolling-30d.",
                       "The period is YYYY-Qn, YYYY-MM, YYYY or rolling-30d."),
    "metrics.procedure_with_group": ("Không lọc theo thủ tục khi nhóm theo phòng hoặc cán bộ.",
                                     "A procedure filter does not combine with grouping by unit or officer."),
    "metrics.too_many_days": ("Nhóm theo ngày tối đa 366 ngày.", "Grouping by day covers at most 366 days."),
    "procedure.no_required_component": ("Thủ tục phải có ít nhất một thành phần hồ sơ bắt buộc.",
                                        "A procedure needs at least one required component."),
    "procedure.other_agency": ("Thủ tục này do cơ quan {agency_code} tiếp nhận và không thuộc danh mục thủ tục "
                               "tiếp nhận không phụ thuộc địa giới hành chính.",
                               "This procedure is received by agency {agency_code} and is not one received "
                               "regardless of administrative boundaries."),
    "procedure.not_effective": ("Thủ tục chưa có phiên bản hiệu lực.", "The procedure has no version in effect."),
    # The national portal link (docs/national-portal.md)
    "portal.signature_missing": ("Thiếu thời điểm ký hoặc chữ ký (X-DVCQG-Timestamp, X-DVCQG-Signature).",
                                 "The signing time or the signature is missing (X-DVCQG-Timestamp, "
                                 "X-DVCQG-Signature)."),
    "portal.signature_invalid": ("Chữ ký của yêu cầu không hợp lệ.", "The request's signature is not valid."),
    "portal.signature_stale": ("Thời điểm ký lệch quá xa so với đồng hồ của hệ thống; hãy ký lại yêu cầu.",
                               "The signing time is too far from the platform's clock; sign the request again."),
    "portal.signature_replayed": ("Chữ ký này đã được dùng; hãy ký lại yêu cầu.",
                                  "This signature was already used; sign the request again."),
    "portal.unknown_procedure": ("Không có thủ tục đang hiệu lực ứng với mã thủ tục quốc gia này.",
                                 "No procedure in force is mapped to this national procedure code."),
    "portal.file_unreachable": ("Không tải được tệp từ địa chỉ đã cho.",
                                "The file could not be downloaded from the given address."),
    "portal.hash_mismatch": ("Mã băm SHA-256 của tệp tải về khác với MaHash.",
                             "The SHA-256 of the downloaded file differs from MaHash."),
    "portal.time_format": ("Thời điểm phải là một thời điểm có thật, dạng yyyyMMddHHmmss (giờ Việt Nam).",
                           "Must be a real time written yyyyMMddHHmmss (Vietnam time)."),
    "portal.not_configured": ("Kết nối với Cổng Dịch vụ công quốc gia chưa được cấu hình.",
                              "The link with the national portal is not configured."),
    "portal.date_format": ("Ngày phải là một ngày có thật, dạng yyyyMMdd.", "Must be a real date written yyyyMMdd."),
}


def pick_language(accept_language: str | None) -> str:
    """Vietnamese unless the caller prefers English (q-values honoured)."""
    if not accept_language:
        return "vi"
    best, best_q = "vi", 0.0  # q=0 means "not acceptable", so it never wins
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower()[:2]
        if lang in ("vi", "en") and q > best_q:
            best, best_q = lang, q
    return best


def message(code: str, lang: str, params: dict | None = None) -> str:
    vi, en = MESSAGES.get(code, (code, code))
    text = en if lang == "en" else vi
    try:
        return text.format(**(params or {}))
    except (KeyError, IndexError, ValueError):
        return text
