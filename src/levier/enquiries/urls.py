from django.urls import path

from . import contact_log_views, deadline_views, views

app_name = "enquiries"
urlpatterns = [
    path("", views.enquiry_list, name="list"),
    path("appel-ou-visite/", contact_log_views.enquiry_log_contact, name="log_contact"),
    path("echeances/", deadline_views.enquiry_deadlines, name="deadlines"),
    path("<int:pk>/", views.enquiry_detail, name="detail"),
    path("<int:pk>/pieces/<int:attachment_pk>/", views.enquiry_attachment, name="attachment"),
    path("<int:pk>/repondre/", views.enquiry_reply, name="reply"),
    path("<int:pk>/attribuer/", views.enquiry_assign, name="assign"),
    path("<int:pk>/cloturer/", views.enquiry_close, name="close"),
    path("<int:pk>/qualifier/", views.enquiry_classify, name="classify"),
]
