// Clientside callbacks of the super admin's users page (pages/admin/users.py).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  adminUsers: {
    // The hospital picker only matters for hospital admins (Role.HOSPITAL_ADMIN in
    // db/vocabulary.py): greyed out for every other role.
    hospitalPickerDisabled: function (role) {
      return role !== 'hospital_admin';
    },
  },
});
